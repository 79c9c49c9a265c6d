// Package requestsizelimiting is Kong's request-size-limiting plugin:
// requests whose body (declared by Content-Length, else measured) exceeds
// allowed_payload_size are answered 413, or 417 when the client sent
// "Expect: 100-continue".
package requestsizelimiting

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "request-size-limiting",
		Priority:    951,
		Description: "Block incoming requests whose body is greater than a specific size.",
		Config:      configFields,
		New:         New,
	})
}

// limit is one compiled request-size-limiting instance.
type limit struct {
	// allowed is the limit in bytes; unset when allowed_payload_size is
	// null (Kong then fails every request with 500).
	allowed              float64
	unset                bool
	requireContentLength bool
}

// New computes the byte limit once.
func New(env *plugin.Env) (any, error) {
	l := &limit{requireContentLength: env.Config["require_content_length"] == true}
	size, ok := env.Config["allowed_payload_size"].(float64)
	unit, _ := env.Config["size_unit"].(string)
	factor, known := unitFactor[unit]
	if !known {
		factor = unitFactor["megabytes"]
	}
	l.allowed, l.unset = size*factor, !ok
	return l, nil
}

// Access checks the declared length when Content-Length is a number, else
// the buffered body.
func (l *limit) Access(c *plugin.Context) {
	if n, ok := luaNumber(c.Header("Content-Length")); ok {
		l.check(c, n)
		return
	}
	if l.requireContentLength && c.ContentLength() != -1 { // -1: chunked
		c.Error(411, "A valid Content-Length header is required")
		return
	}
	l.check(c, float64(len(c.Body())))
}

func (l *limit) check(c *plugin.Context, length float64) {
	if l.unset {
		// Kong's arithmetic on a null limit raises a Lua error.
		c.Error(500, "An unexpected error occurred")
		return
	}
	if length <= l.allowed {
		return
	}
	if expect := c.Header("Expect"); len(expect) > 0 && strings.EqualFold(string(bytes.TrimSpace(expect)), "100-continue") {
		c.Error(417, "Request size limit exceeded")
		return
	}
	c.Error(413, "Request size limit exceeded")
}

// luaNumber parses a header value as Lua's tonumber does: surrounding
// spaces allowed, decimal, exponent and 0x hexadecimal forms.
func luaNumber(b []byte) (float64, bool) {
	if n, ok := digits(b); ok {
		return n, true
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return 0, false
	}
	neg := false
	if t := strings.TrimPrefix(s, "-"); t != s {
		neg, s = true, t
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, false
		}
		if neg {
			return -float64(u), true
		}
		return float64(u), true
	}
	for i := 0; i < len(s); i++ {
		// strconv accepts "inf", "nan" and underscores; Lua does not.
		if c := s[i]; !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) { // overflow is Lua's inf
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// digits parses the usual Content-Length, a short run of decimal digits,
// without allocating.
func digits(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return float64(n), true
}

var _ plugin.Accessor = (*limit)(nil)
