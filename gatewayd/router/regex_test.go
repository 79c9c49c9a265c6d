package router

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

var backtrackPatterns = []string{
	`/users/\d+/profile`, `/a|/ab`, `/ab|/a`, `/a*?`, `/a*`, `/(a|ab)(c|bcd)(d*)`,
	`/(?i)AbC`, `/[^/]+/x$`, `/\b\w+\b`, `/(a+)+b`, `/.*`, `/.*?x`, `/`, ``,
	`/caf\x{e9}`, `/.`, `/(?s).`, `/\pL+`, `/(?:x*)*y`, `/(?:)|/a`, `/a{2,3}`, `/a{2,3}?`,
	`/[0-9]{3}-[a-z]*`, `/(?P<id>\d+)/(?<name>\w+)`, `/\z`, `/$`, `/x\B`,
}

var backtrackInputs = []string{
	"/", "/a", "/ab", "/abc", "/abcd", "/abcdd", "/users/123/profile", "/users/12x/profile",
	"/AbC", "/abc/x", "/foo bar", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaac", "/café", "/caf\xe9", "/\xff\xfe",
	"/x\ny", "/123-abc", "/42/bob", "", "/xxy", "/aa", "/aaaa", "/x",
}

// TestBacktrackerAgreesWithRegexp checks that matchEnd finds the same
// leftmost-first match end as the standard library, on the stack path, the
// pooled-scratch path and the fallback path.
func TestBacktrackerAgreesWithRegexp(t *testing.T) {
	long := "/" + strings.Repeat("ab", 600) + "c"
	huge := "/" + strings.Repeat("a", 300_000)
	inputs := append(append([]string(nil), backtrackInputs...), long, huge, long+"/users/1/profile")
	for _, pattern := range backtrackPatterns {
		re, err := compilePathRegex(pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", pattern, err)
		}
		std := regexp.MustCompile("^(?:" + pattern + ")")
		for _, in := range inputs {
			end, ok := re.matchEnd([]byte(in))
			loc := std.FindStringIndex(in)
			if ok != (loc != nil) || (ok && end != loc[1]) {
				t.Errorf("pattern %q on %.40q: got (%d, %v), regexp says %v", pattern, in, end, ok, loc)
			}
			if ok && !strings.HasPrefix(in, re.prefix) {
				t.Errorf("pattern %q matched %.40q outside its literal prefix %q", pattern, in, re.prefix)
			}
		}
	}
}

func TestBacktrackerAgreesWithRegexpOnRandomInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"/", "a", "b", "c", "1", "2", "x", "é", "\xff", " ", "A"}
	for _, pattern := range backtrackPatterns {
		re, err := compilePathRegex(pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", pattern, err)
		}
		std := regexp.MustCompile("^(?:" + pattern + ")")
		for range 300 {
			var b strings.Builder
			for range rng.IntN(30) {
				b.WriteString(pick(rng, alphabet))
			}
			in := b.String()
			end, ok := re.matchEnd([]byte(in))
			loc := std.FindStringIndex(in)
			if ok != (loc != nil) || (ok && end != loc[1]) {
				t.Fatalf("pattern %q on %q: got (%d, %v), regexp says %v", pattern, in, end, ok, loc)
			}
		}
	}
}

func TestLiteralPrefix(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`/users/\d+/profile`, "/users/"},
		{`/route/(fixture)`, "/route/fixture"},
		{`/(a|b)/c`, "/"},
		{`/(?i)abc`, "/"},
		{`(?i)/abc`, ""},
		{`/a|/b`, "/"},
		{`/ab|/cd`, "/"},
		{`/abc|/abd`, "/ab"},
		{`/a*`, "/"},
		{`/caf\x{e9}/x`, "/café/x"},
		{`/\x{fffd}x`, "/"},
		{`^/anchored`, "/anchored"},
		{``, ""},
	}
	for _, tt := range tests {
		re, err := compilePathRegex(tt.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", tt.pattern, err)
		}
		if re.prefix != tt.want {
			t.Errorf("literal prefix of %q = %q, want %q", tt.pattern, re.prefix, tt.want)
		}
	}
}
