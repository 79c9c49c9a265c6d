package declarative

import (
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath"
)

// migrateRoutePaths converts the paths of a route from a 1.1/2.1 file to
// 3.0 semantics, as Kong's migrate_path_280_300.lua does: before 3.0 every
// path was a potential regex; a path made only of [A-Za-z0-9.-_~/%] is a
// plain prefix (normalized), anything else becomes an explicit "~" regex
// with its %-escapes decoded (reserved characters stay escaped, regex
// metacharacters are decoded escaped).
func migrateRoutePaths(fields map[string]any) {
	paths, ok := fields["paths"].([]any)
	if !ok {
		return
	}
	out := make([]any, len(paths))
	for i, p := range paths {
		s, isStr := p.(string)
		if !isStr {
			out[i] = p
			continue
		}
		out[i] = MigratePath(s)
	}
	fields["paths"] = out
}

// MigratePath migrates one pre-3.0 route path.
func MigratePath(p string) string {
	if isPlainPath(p) {
		return string(httppath.Normalize(nil, []byte(p)))
	}
	return "~" + normalizeRegex(p)
}

func isPlainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_~/%", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// reservedChars stay percent-encoded (upper-cased) in a migrated regex.
const reservedChars = "!#$%&'()*+,/:;=?@[]"

// regexMeta are decoded with a backslash so they keep matching literally.
const regexMeta = ".^-{}\\|"

func normalizeRegex(re string) string {
	if !strings.Contains(re, "%") {
		return re
	}
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		if re[i] == '%' && i+2 < len(re) && isHexDigit(re[i+1]) && isHexDigit(re[i+2]) {
			n, _ := strconv.ParseUint(re[i+1:i+3], 16, 8)
			c := byte(n)
			switch {
			case strings.IndexByte(reservedChars, c) >= 0:
				b.WriteString(strings.ToUpper(re[i : i+3]))
			case strings.IndexByte(regexMeta, c) >= 0:
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
			i += 2
			continue
		}
		b.WriteByte(re[i])
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
