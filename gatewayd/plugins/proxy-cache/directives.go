package proxycache

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// directives is a parsed Cache-Control header, reduced to what the plugin
// reads (kong.tools.http parse_directive_header). A directive is present
// when set; its number is known only when its value parses as one.
type directives struct {
	noStore, noCache, private, onlyIfCached bool

	maxAge, sMaxAge, maxStale, minFresh             float64
	hasMaxAge, hasSMaxAge, hasMaxStale, hasMinFresh bool
}

// parseDirectives parses comma-separated directives the way Kong does:
// each item is `\s*([^=]+)(?:=(.+))?`, the name lowercased (trailing
// blanks kept, so "public " is not "public"), the value kept as a number
// when Lua's tonumber accepts it. Later directives override earlier ones.
func parseDirectives(values [][]byte) directives {
	var d directives
	for _, v := range values {
		for len(v) > 0 {
			item := v
			if i := indexByte(v, ','); i >= 0 {
				item, v = v[:i], v[i+1:]
			} else {
				v = nil
			}
			d.apply(item)
		}
	}
	return d
}

func (d *directives) apply(item []byte) {
	i := 0
	for i < len(item) && isSpace(item[i]) {
		i++
	}
	item = item[i:]
	name, value := item, []byte(nil)
	if eq := indexByte(item, '='); eq >= 0 {
		name, value = item[:eq], item[eq+1:]
	}
	if len(name) == 0 {
		return
	}
	n, isNum := luaNumber(value)
	switch {
	case equalFold(name, "no-store"):
		d.noStore = true
	case equalFold(name, "no-cache"):
		d.noCache = true
	case equalFold(name, "private"):
		d.private = true
	case equalFold(name, "only-if-cached"):
		d.onlyIfCached = true
	case equalFold(name, "max-age"):
		d.maxAge, d.hasMaxAge = n, isNum
	case equalFold(name, "s-maxage"):
		d.sMaxAge, d.hasSMaxAge = n, isNum
	case equalFold(name, "max-stale"):
		d.maxStale, d.hasMaxStale = n, isNum
	case equalFold(name, "min-fresh"):
		d.minFresh, d.hasMinFresh = n, isNum
	}
}

// luaNumber converts like Lua's tonumber: surrounding blanks allowed,
// decimal or 0x hexadecimal; no inf or nan words.
func luaNumber(b []byte) (float64, bool) {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return 0, false
	}
	lower := strings.ToLower(s)
	if strings.Contains(lower, "inf") || strings.Contains(lower, "nan") {
		return 0, false
	}
	unsigned := strings.TrimLeft(lower, "+-")
	if strings.HasPrefix(unsigned, "0x") {
		n, err := strconv.ParseInt(lower, 0, 64)
		return float64(n), err == nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

// resourceTTL is Kong's calculate_resource_ttl: s-maxage, else max-age,
// else Expires (the last one) minus now, never below 0.
func resourceTTL(d directives, expires []byte, now time.Time) float64 {
	var ttl float64
	switch {
	case d.hasSMaxAge:
		ttl = d.sMaxAge
	case d.hasMaxAge:
		ttl = d.maxAge
	case len(expires) > 0:
		t, err := http.ParseTime(string(expires))
		if err != nil {
			return 0
		}
		ttl = float64(t.Unix() - now.Unix())
	}
	return math.Max(ttl, 0)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x := b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != s[i] {
			return false
		}
	}
	return true
}

// mediaType is a parsed Content-Type (kong.tools.mime_type): type and
// subtype as written, parameters in order of appearance.
type mediaType struct {
	typ, sub string
	params   []param
}

type param struct{ key, value string }

// parseMediaType parses `type "/" subtype *(OWS ";" OWS attr "=" value)`
// with RFC 2045 tokens and quoted strings, nothing after. "*" alone is
// "*/*". ok is false for anything else.
func parseMediaType(s string) (mediaType, bool) {
	var m mediaType
	i := tokenEnd(s, 0)
	switch {
	case i > 0 && i < len(s) && s[i] == '/':
		j := tokenEnd(s, i+1)
		if j == i+1 {
			return m, false
		}
		m.typ, m.sub = s[:i], s[i+1:j]
		i = j
	case strings.HasPrefix(s, "*"):
		m.typ, m.sub, i = "*", "*", 1
	default:
		return m, false
	}
	for i < len(s) {
		i = skipBlanks(s, i)
		if i >= len(s) || s[i] != ';' {
			return m, false
		}
		i = skipBlanks(s, i+1)
		k := tokenEnd(s, i)
		if k == i || k >= len(s) || s[k] != '=' {
			return m, false
		}
		key := s[i:k]
		i = k + 1
		var value string
		if i < len(s) && s[i] == '"' {
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				} else if s[j] < 32 || s[j] == 127 {
					return m, false
				}
				j++
			}
			if j >= len(s) {
				return m, false
			}
			value, i = s[i+1:j], j+1
		} else {
			j := tokenEnd(s, i)
			if j == i {
				return m, false
			}
			value, i = s[i:j], j
		}
		m.setParam(key, value)
	}
	return m, true
}

func (m *mediaType) setParam(key, value string) {
	for i := range m.params {
		if m.params[i].key == key {
			m.params[i].value = value
			return
		}
	}
	m.params = append(m.params, param{key, value})
}

// matches reports whether the configured type m accepts got: same type
// (or "*"), same subtype (or "*"), and exactly the same parameters.
func (m *mediaType) matches(got *mediaType) bool {
	if m.typ != "*" && m.typ != got.typ {
		return false
	}
	if m.sub != "*" && m.sub != got.sub {
		return false
	}
	if len(m.params) != len(got.params) {
		return false
	}
	for _, p := range m.params {
		found := false
		for _, q := range got.params {
			if q.key == p.key {
				found = q.value == p.value
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func tokenEnd(s string, i int) int {
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return i
}

func isTokenChar(c byte) bool {
	if c < 32 || c >= 127 {
		return false
	}
	return !strings.ContainsRune("()<>@,;:\\\"/[]?={} \t", rune(c))
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}
