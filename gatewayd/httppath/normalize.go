// Package httppath implements the request-path handling gatewayd shares
// between the entity schemas, the router and the proxy: path normalization
// (what the router matches on and what the upstream receives), upstream path
// construction for strip_path / path_handling, and validation of route
// `paths` entries. Behaviour follows Kong 3.9 (kong/tools/uri.lua,
// kong/router/utils.lua, kong/router/traditional.lua, kong/db/schema/typedefs.lua).
//
// Everything on the request path appends into a caller-supplied buffer so the
// proxy can reuse buffers and stay allocation-free.
package httppath

import "bytes"

var doubleSlash = []byte("//")

// upperHex is used to re-emit kept percent-escapes in canonical upper case,
// so "%2f" and "%2F" normalize to the same bytes and compare equal.
const upperHex = "0123456789ABCDEF"

// Normalize appends the normalized form of the request path raw (without the
// query string) to dst and returns the extended buffer:
//
//   - percent-escapes of unreserved characters (ALPHA DIGIT - . _ ~) are
//     decoded ("/h%65llo" → "/hello"), every other valid escape is kept but
//     its hex digits are upper-cased ("%2f" → "%2F", "%20" stays "%20");
//     invalid escapes such as "%zz" are copied unchanged;
//   - dot segments are removed as in RFC 3986 section 5.2.4, after decoding,
//     so "/%2e%2e/" counts as "/../";
//   - runs of slashes are merged ("/foo//bar" → "/foo/bar").
//
// The result is idempotent: Normalize(Normalize(x)) == Normalize(x). It does
// not allocate when dst has room for len(raw) more bytes (the output is never
// longer than the input).
func Normalize(dst, raw []byte) []byte {
	start := len(dst)
	dst = appendDecoded(dst, raw)
	n := removeDotSegments(dst[start:])
	return dst[:start+n]
}

// appendDecoded performs the percent-decoding step of Normalize.
//
// One subtlety keeps the function idempotent: a literal '%' that does not
// start a valid escape (the first '%' of "%%341") must not end up followed by
// two hex digits after decoding, otherwise a second pass would find an escape
// the first pass did not ("%%341" would become "%41", then "A"). Escapes that
// would decode to a hex digit completing such a dangling '%' therefore stay
// encoded.
func appendDecoded(dst, raw []byte) []byte {
	danglingPct := -1 // index in dst of the last literal (non-escape) '%'
	for i := 0; i < len(raw); i++ {
		// Copy the run up to the next '%' in one go; most paths have none.
		next := bytes.IndexByte(raw[i:], '%')
		if next < 0 {
			return append(dst, raw[i:]...)
		}
		dst = append(dst, raw[i:i+next]...)
		i += next
		if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
			danglingPct = len(dst)
			dst = append(dst, '%')
			continue
		}
		hi, lo := unhex(raw[i+1]), unhex(raw[i+2])
		b := hi<<4 | lo
		if isUnreserved(b) && !completesEscape(dst, danglingPct, b) {
			dst = append(dst, b)
		} else {
			dst = append(dst, '%', upperHex[hi], upperHex[lo])
		}
		i += 2
	}
	return dst
}

// completesEscape reports whether appending b to dst would turn the dangling
// '%' at index pct into the start of a valid "%XY" escape.
func completesEscape(dst []byte, pct int, b byte) bool {
	if pct < 0 || !isHex(b) {
		return false
	}
	n := len(dst)
	return pct == n-1 || (pct == n-2 && isHex(dst[n-1]))
}

// removeDotSegments applies RFC 3986 section 5.2.4 (plus slash merging) to b
// in place and returns the length of the result. It works in place because
// the output never grows faster than the input is consumed: the output is
// b[:w], the unread input is b[r:], and w <= r at all times.
func removeDotSegments(b []byte) int {
	if bytes.IndexByte(b, '.') < 0 && !bytes.Contains(b, doubleSlash) {
		return len(b) // fast path: nothing to remove or merge
	}
	r, w := 0, 0
	for r < len(b) {
		in := b[r:]
		switch {
		case len(in) > 1 && in[0] == '/' && in[1] != '.' && in[1] != '/':
			// Common case, checked first: an ordinary segment (rule E).
			end := segmentEnd(in)
			copy(b[w:], in[:end])
			w += end
			r += end
		case hasPrefix(in, "../"): // A: leading "../" of a relative path
			r += 3
		case hasPrefix(in, "./"): // A: leading "./"
			r += 2
		case hasPrefix(in, "/./"): // B: "/./" → "/"
			r += 2
		case len(in) == 2 && in[0] == '/' && in[1] == '.': // B: trailing "/." → "/"
			r++
			b[r] = '/'
		case hasPrefix(in, "/../"): // C: "/../" → "/" and drop the last output segment
			r += 3
			w = lastSegmentStart(b[:w])
		case len(in) == 3 && in[0] == '/' && in[1] == '.' && in[2] == '.': // C: trailing "/.."
			r += 2
			b[r] = '/'
			w = lastSegmentStart(b[:w])
		case len(in) == 1 && in[0] == '.', len(in) == 2 && in[0] == '.' && in[1] == '.': // D
			r = len(b)
		case len(in) >= 2 && in[0] == '/' && in[1] == '/': // merge "//" into "/"
			r++
		default: // E: move the first segment (with its leading '/') to the output
			end := segmentEnd(in)
			copy(b[w:], in[:end])
			w += end
			r += end
		}
	}
	return w
}

// segmentEnd returns the length of the first segment of in, including its
// leading '/' if any, up to but excluding the next '/'.
func segmentEnd(in []byte) int {
	for i := 1; i < len(in); i++ {
		if in[i] == '/' {
			return i
		}
	}
	return len(in)
}

// lastSegmentStart returns the length out must be truncated to in order to
// drop its last segment together with that segment's leading '/'.
func lastSegmentStart(out []byte) int {
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] == '/' {
			return i
		}
	}
	return 0
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// isUnreserved reports whether c is an RFC 3986 unreserved character, the
// only characters whose escapes may be decoded without changing meaning.
func isUnreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}
