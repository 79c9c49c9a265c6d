package responsetransformer

import "strings"

// isJSONBody is Kong's is_json_body: one of the comma-separated media
// types of Content-Type parses (RFC 2045 syntax, as kong.tools.mime_type)
// as application/json.
func isJSONBody(ct []byte) bool {
	if len(ct) == 0 {
		return false
	}
	for _, part := range strings.Split(string(ct), ",") {
		typ, sub, ok := parseMediaType(strings.TrimSpace(part))
		if ok && strings.EqualFold(typ, "application") && strings.EqualFold(sub, "json") {
			return true
		}
	}
	return false
}

// parseMediaType parses type "/" subtype *( *SP ";" *SP attribute "="
// value ) with nothing after, or "*"; ok is false for anything else.
func parseMediaType(s string) (typ, sub string, ok bool) {
	if s == "*" {
		return "*", "*", true
	}
	i := tokenEnd(s, 0)
	if i == 0 || i >= len(s) || s[i] != '/' {
		return "", "", false
	}
	typ = s[:i]
	j := tokenEnd(s, i+1)
	if j == i+1 {
		return "", "", false
	}
	sub = s[i+1 : j]
	pos := j
	for pos < len(s) {
		k := skipSpace(s, pos)
		if k >= len(s) || s[k] != ';' {
			return "", "", false
		}
		k = skipSpace(s, k+1)
		a := tokenEnd(s, k)
		if a == k || a >= len(s) || s[a] != '=' {
			return "", "", false
		}
		v := a + 1
		if v < len(s) && s[v] == '"' {
			end := quotedEnd(s, v)
			if end < 0 {
				return "", "", false
			}
			pos = end
			continue
		}
		e := tokenEnd(s, v)
		if e == v {
			return "", "", false
		}
		pos = e
	}
	return typ, sub, true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isTokenChar(c byte) bool {
	return c > 31 && c < 127 && strings.IndexByte("()<>@,;:\\\"/[]?={} \t", c) < 0
}

func tokenEnd(s string, i int) int {
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return i
}

// quotedEnd returns the index after the quoted string starting at i, or
// -1 when it is not terminated.
func quotedEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return j + 1
		case c == '\\' && j+1 < len(s) && s[j+1] < 128:
			j++
		case c < 32 || c == 127:
			return -1
		}
	}
	return -1
}
