package httppath

import (
	"fmt"
	"regexp"
	"strings"
)

// Kong's error messages for a route `paths` entry (kong/db/schema/typedefs.lua
// router_path, and the implicit len_min of kong/db/schema/init.lua).
const (
	errEmpty         = "length must be at least 1"
	errEmptySegments = "must not have empty segments"
	errStart         = "should start with: / (fixed path) or ~/ (regex path)"
)

// ValidateRoutePath returns "" when p is a valid route `paths` entry and
// Kong's error message otherwise. Checks run in the order Kong's schema runs
// them (len_min, match_none, match_any, custom_validator):
//
//  1. "" → "length must be at least 1";
//  2. any "//", in plain and regex paths alike → "must not have empty segments";
//  3. not starting with "/" or "~/" → "should start with: / (fixed path) or ~/ (regex path)";
//  4. regex paths ("~" + regex) must compile with Go's RE2 engine, which like
//     Kong's Rust regex has no look-around or backreferences →
//     "invalid regex: '<re>' (PCRE returned: <err>)" (Kong's wording kept);
//  5. plain paths made only of RFC 3986 characters must be properly
//     percent-encoded → "invalid url-encoded value: '%zz'";
//  6. plain paths must already be normalized →
//     "non-normalized path, consider use '<normalized>' instead".
func ValidateRoutePath(p string) string {
	switch {
	case p == "":
		return errEmpty
	case strings.Contains(p, "//"):
		return errEmptySegments
	case !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~/"):
		return errStart
	case p[0] == '~':
		return validateRegexPath(p[1:])
	}
	return validatePlainPath(p)
}

func validateRegexPath(re string) string {
	if _, err := regexp.Compile(re); err != nil {
		return fmt.Sprintf("invalid regex: '%s' (PCRE returned: %s)", re, err)
	}
	return ""
}

func validatePlainPath(p string) string {
	// Kong only reaches its percent-encoding check when every character is
	// in its RFC 3986 allow-list; other paths go straight to the
	// normalization check.
	if onlyRFC3986(p) {
		if bad := firstBadEscape(p); bad != "" {
			return "invalid url-encoded value: '" + bad + "'"
		}
	}
	if norm := Normalize(nil, []byte(p)); string(norm) != p {
		return "non-normalized path, consider use '" + string(norm) + "' instead"
	}
	return ""
}

// onlyRFC3986 mirrors the character class of Kong's validate_path:
// unreserved characters, '/', '%', ':', '@' and the sub-delims.
func onlyRFC3986(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; !isUnreserved(c) && !strings.ContainsRune("/%:@!$&'()*+,;=", rune(c)) {
			return false
		}
	}
	return true
}

// firstBadEscape returns the first '%' that does not start a valid "%XY"
// escape together with up to two following characters, as Kong reports it,
// or "" when every '%' is well formed.
func firstBadEscape(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			continue
		}
		if i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			i += 2
			continue
		}
		// Kong blanks out valid escapes before quoting, so a valid escape
		// right after the bad '%' is shown as underscores.
		end := min(i+3, len(p))
		quoted := []byte(p[i:end])
		for j := 1; j < len(quoted); j++ {
			if quoted[j] == '%' && i+j+2 < len(p) && isHex(p[i+j+1]) && isHex(p[i+j+2]) {
				for k := j; k < len(quoted); k++ {
					quoted[k] = '_'
				}
				break
			}
		}
		return string(quoted)
	}
	return ""
}
