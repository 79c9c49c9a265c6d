package conf

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem with one setting. It says where the offending value
// came from so that an operator can go straight to it: a file and line, an
// environment variable, or (for cross-key rules violated by defaults) neither.
type Error struct {
	File string // configuration file, as given to Load; "" when not from a file
	Line int    // 1-based line in File; 0 when the problem is not on one line
	Env  string // environment variable the value came from, e.g. GATEWAYD_PROXY_LISTEN
	Key  string // configuration key, e.g. proxy_listen; "" for syntax errors
	Msg  string
}

// Error renders the location the way compilers do, e.g.
//
//	gatewayd.conf:12: proxy_listen: invalid port "80x0"
//	env GATEWAYD_PROXY_LISTEN: invalid port "80x0"
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Env != "":
		// The variable name already names the key.
		fmt.Fprintf(&b, "env %s: ", e.Env)
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
		if e.Key != "" {
			b.WriteString(e.Key + ": ")
		}
	case e.File != "":
		b.WriteString(e.File + ": ")
		if e.Key != "" {
			b.WriteString(e.Key + ": ")
		}
	case e.Key != "":
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one Load, so that `gatewayd check` can
// list them all instead of making the operator fix them one run at a time.
type Errors []*Error

// Error joins the individual errors with newlines.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders errors as an operator reads them: the file top to bottom, then
// the environment, then problems that have no single location.
func (es Errors) sort() {
	rank := func(e *Error) int {
		switch {
		case e.File != "":
			return 0
		case e.Env != "":
			return 1
		default:
			return 2
		}
	}
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(rank(a), rank(b)),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Env, b.Env),
		)
	})
}
