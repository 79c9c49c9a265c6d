package mapr

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// nasty are arguments that would change a command if a shell interpreted them.
var nasty = []string{
	"", " ", "plain", "two words", "it's", "'", "''", `\`, `\'`, `"`, `"$HOME"`, "$HOME", "${PATH}",
	"`id`", "$(id)", "a;b", "a|b", "a&&b", "a\nb", "\n", "\t", "*", "?", "[a]", "~", "~root", "-n", "--",
	"a > /tmp/x", "<", "#comment", "!", "!!", "%s", "é ü 日本", "\x01\x7f", "a=b", "'\"'\"'",
}

func TestQuoteWrapsEveryValueInSingleQuotes(t *testing.T) {
	for in, want := range map[string]string{"": "''", "abc": "'abc'", "it's": `'it'\''s'`, "$x": "'$x'"} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// shellArgs runs line with the given shell as an SSH server would ($SHELL -c
// line) and returns the arguments the final program received.
func shellArgs(t testing.TB, shell, line string) []string {
	t.Helper()
	out, err := exec.Command(shell, "-c", line).Output()
	if err != nil {
		t.Fatalf("%s -c %q: %v", shell, line, err)
	}
	parts := strings.Split(string(out), "\x00")
	return parts[:len(parts)-1]
}

// printArgs is a program line that prints each of its arguments followed by NUL.
var printArgs = []string{"/bin/sh", "-c", `for a; do printf '%s\0' "$a"; done`, "sh"}

func TestCommandLineReachesTheProgramUnchangedThroughPOSIXShells(t *testing.T) {
	line, err := CommandLine(append(printArgs, nasty...))
	if err != nil {
		t.Fatal(err)
	}
	for _, shell := range []string{"/bin/sh", "/bin/dash", "/bin/bash"} {
		if _, err := exec.LookPath(shell); err != nil {
			continue
		}
		got := shellArgs(t, shell, line)
		if len(got) != len(nasty) {
			t.Fatalf("%s: got %d args, want %d: %q", shell, len(got), len(nasty), got)
		}
		for i := range nasty {
			if got[i] != nasty[i] {
				t.Errorf("%s: arg %d = %q, want %q", shell, i, got[i], nasty[i])
			}
		}
	}
}

func TestCommandLineRejectsNUL(t *testing.T) {
	if _, err := CommandLine([]string{"echo", "a\x00b"}); !errors.Is(err, ErrNUL) {
		t.Fatalf("err = %v, want ErrNUL", err)
	}
	if _, err := CommandLine(nil); err == nil {
		t.Fatal("empty command accepted")
	}
}

// unquotePOSIX is a reference parser for the words Quote produces: single
// quoted runs and backslash-escaped characters, nothing else. It fails on
// anything a shell would interpret.
func unquotePOSIX(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 2
		case '\\':
			if i+1 >= len(s) {
				return "", false
			}
			b.WriteByte(s[i+1])
			i += 2
		default:
			return "", false // an unquoted character: the shell would see it
		}
	}
	return b.String(), true
}

func FuzzQuote(f *testing.F) {
	for _, s := range nasty {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		got, ok := unquotePOSIX(q)
		if !ok || got != s {
			t.Fatalf("Quote(%q) = %s parses back as %q (ok=%v)", s, q, got, ok)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return // a NUL cannot be an argument (CommandLine rejects it)
		}
		line, err := CommandLine(append(printArgs, s))
		if err != nil {
			t.Fatal(err)
		}
		out := shellArgs(t, "/bin/sh", line)
		if len(out) != 1 || !bytes.Equal([]byte(out[0]), []byte(s)) {
			t.Fatalf("through /bin/sh %q became %q", s, out)
		}
	})
}
