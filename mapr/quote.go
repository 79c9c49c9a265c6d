package mapr

import (
	"errors"
	"fmt"
	"strings"
)

// Quote returns s as one POSIX shell word that the shell passes through
// unchanged: the whole value between single quotes, with each embedded single
// quote written as close-quote, backslash, quote, reopen-quote:
//
//	Quote("it's") == `'it'\''s'`
//
// Inside single quotes a POSIX shell gives no character a special meaning, so
// $, backticks, globs, ;, |, newlines and backslashes all stay literal.
//
// Every argument is quoted, even ones that look harmless, so that whether a
// value is safe never depends on a judgement about its characters. The remote
// login shell must be POSIX (sh, bash, dash, ksh, zsh); csh-family shells treat
// newlines and ! differently.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ErrNUL reports an argument holding a NUL byte: a process argument cannot
// carry one, and silently truncating it would run a different command.
var ErrNUL = errors.New("argument contains a NUL byte")

// CommandLine joins argv into the single string an SSH "exec" request carries,
// quoting every element with Quote.
func CommandLine(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("empty command")
	}
	var b strings.Builder
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			return "", fmt.Errorf("argument %d: %w", i, ErrNUL)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(a))
	}
	return b.String(), nil
}
