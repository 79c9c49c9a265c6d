package hmacauth

// params are the fields of an hmac Authorization header.
type params struct {
	username, algorithm, headers, signature []byte
}

// paramNames are the parameters after username, in the order Kong's
// pattern requires them.
var paramNames = [3]string{`algorithm="`, `headers="`, `signature="`}

// isSpace is PCRE's \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// parseAuthorization applies Kong's (unanchored) pattern
//
//	\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"
//
// with PCRE's greedy, backtracking semantics: every capture extends as far
// right as the rest of the pattern allows. It runs in linear time.
func parseAuthorization(v []byte) (params, bool) {
	for i := 0; i+4 <= len(v); i++ {
		if (v[i] != 'H' && v[i] != 'h') || string(v[i+1:i+4]) != "mac" {
			continue
		}
		p := i + 4
		for p < len(v) && isSpace(v[p]) {
			p++
		}
		const user = `username="`
		if len(v)-p < len(user) || string(v[p:p+len(user)]) != user {
			continue
		}
		n := len(v)
		m := matcher{s: v, failBelow: [4]int{n, n, n, n}}
		if m.match(0, p+len(user)) {
			return params{
				username:  v[m.caps[0][0]:m.caps[0][1]],
				algorithm: v[m.caps[1][0]:m.caps[1][1]],
				headers:   v[m.caps[2][0]:m.caps[2][1]],
				signature: v[m.caps[3][0]:m.caps[3][1]],
			}, true
		}
		// A later start leaves less room for every capture: it cannot
		// match where this one failed.
		return params{}, false
	}
	return params{}, false
}

// matcher finds the greedy captures. Whether capture k can start at pos
// and the rest of the pattern match only gets harder as pos grows, so
// failBelow[k] (the smallest start known to fail) lets every end position
// be examined once per capture.
type matcher struct {
	s         []byte
	failBelow [4]int
	caps      [4][2]int
}

func (m *matcher) match(k, pos int) bool {
	if pos >= m.failBelow[k] {
		return false
	}
	s := m.s
	start := m.failBelow[k]
	if start > len(s)-1 {
		start = len(s) - 1
	}
	// Ends above the last failed start were all tried for it already.
	for e := start; e > pos; e-- {
		if s[e] != '"' {
			continue
		}
		if k == 3 {
			m.caps[k] = [2]int{pos, e}
			return true
		}
		if e+1 >= len(s) || s[e+1] != ',' {
			continue
		}
		q := e + 2
		for q < len(s) && isSpace(s[q]) {
			q++
		}
		name := paramNames[k]
		if len(s)-q < len(name) || string(s[q:q+len(name)]) != name {
			continue
		}
		if m.match(k+1, q+len(name)) {
			m.caps[k] = [2]int{pos, e}
			return true
		}
	}
	m.failBelow[k] = pos
	return false
}

// splitSpace splits on single spaces like Penlight's stringx.split(s, " "),
// which Kong's utils.split is: empty fields between spaces are kept, a
// trailing space adds an empty field, and " " alone gives one empty field.
func splitSpace(dst [][]byte, s []byte) [][]byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			dst = append(dst, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		dst = append(dst, s[start:])
	}
	if len(dst) == 1 && len(dst[0]) == 0 {
		dst = dst[:0]
	}
	if len(s) > 0 && s[len(s)-1] == ' ' {
		dst = append(dst, s[len(s):])
	}
	return dst
}
