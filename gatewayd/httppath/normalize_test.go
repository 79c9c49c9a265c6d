package httppath

import (
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// kong-compat §3.2 examples.
		{"dot-dot segment is resolved", "/foo/a/../bar", "/foo/bar"},
		{"repeated slashes are merged", "/foo//bar", "/foo/bar"},
		{"dot segment is removed", "/foo/./bar", "/foo/bar"},
		{"escaped unreserved letter is decoded", "/h%65llo", "/hello"},
		{"escaped space stays encoded", "/cat%20and%20dog", "/cat%20and%20dog"},
		{"escaped dot is decoded but is not a dot segment", "/route%2E/req", "/route./req"},

		{"empty path stays empty", "", ""},
		{"root stays root", "/", "/"},
		{"plain path is unchanged", "/a/b/c", "/a/b/c"},
		{"trailing slash is kept", "/a/b/", "/a/b/"},
		{"all unreserved escapes are decoded", "/%41%7a%30%2D%2e%5F%7E", "/Az0-._~"},
		{"reserved escape hex is upper-cased", "/a%2fb%3a", "/a%2Fb%3A"},
		{"escaped percent is kept", "/100%25", "/100%25"},
		{"non-ASCII escape is kept upper-cased", "/caf%c3%a9", "/caf%C3%A9"},
		{"invalid escape is kept", "/a%zz", "/a%zz"},
		{"truncated escape is kept", "/a%4", "/a%4"},
		{"lone percent is kept", "/a%", "/a%"},
		{"escape completing a dangling percent stays encoded", "/%%341", "/%%341"},
		{"escape after dangling percent and hex digit stays encoded", "/%4%31", "/%4%31"},
		{"non-hex escape after dangling percent is decoded", "/%%67", "/%g"},
		{"encoded dot segments are resolved", "/a/%2e%2E/b", "/b"},
		{"trailing dot segment keeps the slash", "/a/b/.", "/a/b/"},
		{"trailing dot-dot segment keeps the slash", "/a/b/..", "/a/"},
		{"dot-dot above root stops at root", "/../../a", "/a"},
		{"dot-dot to root", "/a/..", "/"},
		{"slashes merged around dot-dot", "/a//..//b", "/b"},
		{"leading double slash is merged", "//a", "/a"},
		{"only slashes collapse to one", "////", "/"},
		{"dots inside a segment are kept", "/a.b/..c/d..", "/a.b/..c/d.."},
		{"relative dot prefix is removed", "./a", "a"},
		{"relative dot-dot prefix is removed", "../a", "a"},
		{"lone dot is removed", ".", ""},
		{"lone dot-dot is removed", "..", ""},
		{"asterisk form is unchanged", "*", "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Normalize(nil, []byte(tt.in)))
			if got != tt.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := string(Normalize(nil, []byte(got))); again != got {
				t.Fatalf("Normalize is not idempotent on %q: %q", got, again)
			}
		})
	}
}

func TestNormalizeAppendsToDst(t *testing.T) {
	dst := []byte("prefix:")
	got := Normalize(dst, []byte("/a/./b"))
	if string(got) != "prefix:/a/b" {
		t.Fatalf("got %q", got)
	}
}

func TestNormalizeDoesNotAllocateWithCapacity(t *testing.T) {
	raw := []byte("/api/v1/%75sers/./42/../43//profile%2Fx")
	buf := make([]byte, 0, 128)
	allocs := testing.AllocsPerRun(100, func() {
		buf = Normalize(buf[:0], raw)
	})
	if allocs != 0 {
		t.Fatalf("Normalize allocated %v times per run", allocs)
	}
}

func BenchmarkNormalize(b *testing.B) {
	raw := []byte("/api/v1/%75sers/./42/../43//profile%2Fx")
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = Normalize(buf[:0], raw)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		"", "/", "/foo/a/../bar", "/foo//bar", "/foo/./bar", "/h%65llo",
		"/cat%20and%20dog", "/route%2E/req", "/%%341", "/%4%31", "../a/./b/..",
		"/a%zz%", "//..//./%2e%2E/x",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		once := Normalize(nil, raw)
		if len(once) > len(raw) {
			t.Fatalf("Normalize(%q) grew to %q", raw, once)
		}
		twice := Normalize(nil, once)
		if string(once) != string(twice) {
			t.Fatalf("not idempotent: %q → %q → %q", raw, once, twice)
		}
	})
}
