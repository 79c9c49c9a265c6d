package jwt

import (
	"bytes"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// What retrieve found (Kong's retrieve_tokens result type).
const (
	tokensNone           = iota // nil: "Unauthorized"
	tokensOne                   // a string
	tokensMultiple              // a table: "Multiple tokens provided"
	tokensUnrecognizable        // a boolean (a bare ?jwt flag): "Unrecognizable token"
)

// tokenSet collects distinct tokens; two distinct values are enough to
// know the request carries several.
type tokenSet struct {
	first []byte
	n     int
	flag  bool
}

func (s *tokenSet) add(t []byte) {
	switch {
	case s.n == 0:
		s.first, s.n = t, 1
	case s.n == 1 && !bytes.Equal(s.first, t):
		s.n = 2
	}
}

// retrieve gathers tokens from the configured query arguments, cookies and
// headers (Bearer scheme only), as Kong's retrieve_tokens does: empty
// values are ignored and identical tokens count once.
func (h *handler) retrieve(c *plugin.Context) ([]byte, int) {
	var set tokenSet
	for _, name := range h.uriParams {
		if !c.HasQuery(name) {
			continue
		}
		empty := false
		for _, v := range c.QueryValues(name) {
			if len(v) > 0 {
				set.add(v)
			} else {
				empty = true
			}
		}
		// ngx.req.get_uri_args gives `true` for a bare "?jwt" and "" for
		// "?jwt=": only the raw query tells them apart.
		if empty && hasFlagArg(c.RawRequestURI(), name) {
			set.flag = true
		}
	}
	if len(h.cookieNames) > 0 {
		cookies := c.Header("Cookie")
		for _, name := range h.cookieNames {
			if v, ok := cookieValue(cookies, name); ok && len(v) > 0 {
				set.add(v)
			}
		}
	}
	for _, name := range h.headerNames {
		if v := c.Header(name); len(v) > 0 {
			if t, ok := bearer(v); ok {
				set.add(t)
			}
		}
	}
	n := set.n
	if set.flag {
		n++
	}
	switch {
	case n == 0:
		return nil, tokensNone
	case n > 1:
		return nil, tokensMultiple
	case set.flag:
		return nil, tokensUnrecognizable
	}
	return set.first, tokensOne
}

// isSpace is PCRE's \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// bearer applies Kong's unanchored regex \s*[Bb]earer\s+(.+) to a header
// value and returns the capture.
func bearer(v []byte) ([]byte, bool) {
	for i := 0; i+6 < len(v); i++ {
		if (v[i] != 'B' && v[i] != 'b') || string(v[i+1:i+6]) != "earer" {
			continue
		}
		j := i + 6
		k := j
		for k < len(v) && isSpace(v[k]) {
			k++
		}
		if k == j {
			continue // \s+ needs one
		}
		// (.+) is greedy and stops at a newline; when nothing follows the
		// spaces, \s+ gives its last space back to it.
		end := k
		for end < len(v) && v[end] != '\n' {
			end++
		}
		if end > k {
			return v[k:end], true
		}
		if k-j >= 2 && v[k-1] != '\n' {
			return v[k-1 : k], true
		}
	}
	return nil, false
}

// cookieValue finds a cookie as nginx's $cookie_<name> does: the name is
// matched case-insensitively at the start of a ";"- or ","-separated
// segment, spaces around "=" are skipped and the value runs to the next
// ";".
func cookieValue(h []byte, name string) ([]byte, bool) {
	p := 0
	for p < len(h) {
		if len(h)-p >= len(name) && equalFold(h[p:p+len(name)], name) {
			q := p + len(name)
			for q < len(h) && h[q] == ' ' {
				q++
			}
			if q < len(h) && h[q] == '=' {
				q++
				for q < len(h) && h[q] == ' ' {
					q++
				}
				end := q
				for end < len(h) && h[end] != ';' {
					end++
				}
				return h[q:end], true
			}
		}
		for p < len(h) {
			ch := h[p]
			p++
			if ch == ';' || ch == ',' {
				break
			}
		}
		for p < len(h) && h[p] == ' ' {
			p++
		}
	}
	return nil, false
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// hasFlagArg reports whether the raw query of uri has name as an argument
// without "=" (after percent- and plus-decoding the name).
func hasFlagArg(uri []byte, name string) bool {
	q := indexByte(uri, '?', 0)
	if q < 0 {
		return false
	}
	rest := uri[q+1:]
	for len(rest) > 0 {
		seg := rest
		if i := indexByte(rest, '&', 0); i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(seg) > 0 && indexByte(seg, '=', 0) < 0 && decodedEquals(seg, name) {
			return true
		}
	}
	return false
}

// decodedEquals compares a query component, once unescaped, with s.
func decodedEquals(enc []byte, s string) bool {
	j := 0
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(enc) && unhex(enc[i+1]) >= 0 && unhex(enc[i+2]) >= 0:
			c = byte(unhex(enc[i+1])<<4 | unhex(enc[i+2]))
			i += 2
		}
		if j >= len(s) || s[j] != c {
			return false
		}
		j++
	}
	return j == len(s)
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
