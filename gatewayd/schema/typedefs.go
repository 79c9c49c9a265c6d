package schema

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Typedefs mirror kong/db/schema/typedefs.lua: reusable field shapes with
// Kong's validators and messages. Each constructor returns a fresh *Field so
// callers can set Name, Default or Required without aliasing.

// ID is the auto-generated UUID primary key.
func ID() *Field {
	return &Field{Name: "id", Kind: String, UUID: true, Auto: true,
		Description: "A string representing a UUID (universally unique identifier)."}
}

// CreatedAt / UpdatedAt are auto timestamps in seconds.
func CreatedAt() *Field {
	return &Field{Name: "created_at", Kind: Integer, Timestamp: true, Auto: true,
		Description: "Unix epoch when the resource was created."}
}

// UpdatedAt is the last-write timestamp in seconds.
func UpdatedAt() *Field {
	return &Field{Name: "updated_at", Kind: Integer, Timestamp: true, Auto: true,
		Description: "Unix epoch when the resource was last updated."}
}

// UTF8Name is a unique name of alphanumerics, ". - _ ~" and non-ASCII UTF-8.
func UTF8Name(name string) *Field {
	return &Field{Name: name, Kind: String, Unique: true, Custom: validateUTF8Name,
		Description: "A unique string representing a UTF-8 encoded name."}
}

func validateUTF8Name(v any) string {
	s := v.(string)
	if !utf8.ValidString(s) {
		return "invalid utf-8"
	}
	for _, r := range s {
		if r >= 0x80 || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '-' || r == '_' || r == '~' {
			continue
		}
		return "invalid value '" + s + "': the only accepted ascii characters are alphanumerics or ., -, _, and ~"
	}
	return ""
}

// Tags is the set of tags every entity carries.
func Tags() *Field {
	return &Field{Name: "tags", Kind: Set, Description: "An optional set of strings associated with the entity for grouping and filtering.",
		Elements: &Field{Kind: String, Required: true, Custom: ValidateTag}}
}

// ValidateTag checks a single tag: printable ASCII except "," and "/", or
// valid UTF-8.
func ValidateTag(v any) string {
	s, _ := v.(string)
	ok := utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c < ' ' || c > '~' || c == ',' || c == '/') {
			ok = false
		}
	}
	if !ok {
		return "invalid tag '" + s + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"
	}
	return ""
}

// Port is an integer between 0 and 65535.
func Port(name string) *Field {
	return &Field{Name: name, Kind: Integer, Between: &Range{0, 65535},
		Description: "An integer representing a port number between 0 and 65535, inclusive."}
}

// Timeout is a millisecond timeout between 1 and 2^31-2 as services use it.
func Timeout(name string) *Field {
	return &Field{Name: name, Kind: Integer, Between: &Range{1, 2147483646}, Default: 60000.0,
		Description: "The timeout in milliseconds."}
}

// Host is a hostname or IP without port.
func Host(name string) *Field {
	return &Field{Name: name, Kind: String, Custom: validateHost,
		Description: "A string representing a host name, such as example.com."}
}

// HostWithOptionalPort accepts host or host:port.
func HostWithOptionalPort(name string) *Field {
	return &Field{Name: name, Kind: String, Custom: validateHostWithOptionalPort,
		Description: "A string representing a host name with an optional port number, such as example.com or example.com:8080."}
}

// WildcardHost is an SNI-style name with at most one leading or trailing "*".
func WildcardHost(name string) *Field {
	return &Field{Name: name, Kind: String, Custom: validateWildcardHost,
		Description: "A string representing a wildcard host name, such as *.example.com."}
}

// Path is a service path: starts with "/", no empty segments, RFC 3986.
func Path(name string) *Field {
	return &Field{Name: name, Kind: String, StartsWith: "/",
		MatchNone:   []Pattern{{Desc: "//", Test: func(s string) bool { return strings.Contains(s, "//") }, Err: "must not have empty segments"}},
		Custom:      validatePath,
		Description: "A string representing a URL path, such as /path/to/resource. Must start with a forward slash (/) and must not contain empty segments (i.e., two consecutive forward slashes)."}
}

// IPOrCIDR is an IP address or CIDR block.
func IPOrCIDR(name string) *Field {
	return &Field{Name: name, Kind: String, Custom: validateIPOrCIDR,
		Description: "A string representing an IP address or CIDR block, such as 192.168.1.1 or 192.168.0.0/16."}
}

// HeaderName is an HTTP header name.
func HeaderName(name string) *Field {
	return &Field{Name: name, Kind: String, Custom: ValidateHeaderName,
		Description: "A string representing an HTTP header name."}
}

// ValidateHeaderName mirrors kong.tools.utils.validate_header_name.
func ValidateHeaderName(v any) string {
	s, _ := v.(string)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			continue
		}
		return fmt.Sprintf("bad header name '%s', allowed characters are A-Z, a-z, 0-9, '_', and '-'", s)
	}
	return ""
}

// HostPort is the result of Kong's normalize_ip on "host[:port]".
type HostPort struct {
	Host string
	Port int // -1 when absent
	Type string
}

// ParseHostPort splits and classifies a host with optional port like Kong's
// utils.normalize_ip. err is "" on success, "invalid port number" for a bad
// port, or another message for a bad host.
func ParseHostPort(s string) (HostPort, string) {
	hp := HostPort{Port: -1}
	host, portStr, hasPort := s, "", false
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return hp, "invalid ipv6 address: " + s
		}
		host = s[1:end]
		rest := s[end+1:]
		if rest != "" {
			if rest[0] != ':' {
				return hp, "invalid ipv6 address: " + s
			}
			portStr, hasPort = rest[1:], true
		}
		if _, err := netip.ParseAddr(host); err != nil || !strings.Contains(host, ":") {
			return hp, "invalid ipv6 address: " + s
		}
		hp.Type = "ipv6"
	case strings.Count(s, ":") > 1:
		if _, err := netip.ParseAddr(s); err != nil {
			return hp, "invalid ipv6 address: " + s
		}
		hp.Type = "ipv6"
	default:
		if i := strings.IndexByte(s, ':'); i >= 0 {
			host, portStr, hasPort = s[:i], s[i+1:], true
		}
		if looksIPv4(host) {
			if _, err := netip.ParseAddr(host); err != nil {
				return hp, "invalid ipv4 address: " + host
			}
			hp.Type = "ipv4"
		} else {
			if !validHostname(host) {
				return hp, "invalid hostname: " + host
			}
			hp.Type = "name"
		}
	}
	hp.Host = host
	if hasPort {
		p, err := strconv.Atoi(portStr)
		if err != nil || p < 0 || p > 65535 || portStr == "" {
			return hp, "invalid port number"
		}
		hp.Port = p
	}
	return hp, ""
}

func looksIPv4(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			return false
		}
	}
	return true
}

func validHostname(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			continue
		}
		return false
	}
	return true
}

func validateHost(v any) string {
	s := v.(string)
	hp, err := ParseHostPort(s)
	if err != "" && err != "invalid port number" {
		return "invalid value: " + s
	}
	if err == "invalid port number" || hp.Port >= 0 {
		return "must not have a port"
	}
	return ""
}

func validateHostWithOptionalPort(v any) string {
	s := v.(string)
	if _, err := ParseHostPort(s); err != "" {
		if err == "invalid port number" {
			return "invalid port number"
		}
		return "invalid hostname: " + s
	}
	return ""
}

func validateWildcardHost(v any) string {
	s := v.(string)
	host := s
	if idx := strings.IndexByte(s, '*'); idx >= 0 {
		if idx != 0 && idx != len(s)-1 {
			return "wildcard must be leftmost or rightmost character"
		}
		if strings.Count(s, "*") > 1 {
			return "only one wildcard must be specified"
		}
		host = strings.Replace(s, "*", "wildcard", 1)
	}
	hp, err := ParseHostPort(host)
	if err != "" && err != "invalid port number" {
		return "invalid value: " + host
	}
	if hp.Type != "name" && err == "" {
		return "must not be an IP"
	}
	if err == "invalid port number" || hp.Port >= 0 {
		return "must not have a port"
	}
	return ""
}

// ValidateRouteHost validates one entry of a route's hosts (wildcards
// replaced before the host[:port] check, as Kong does).
func ValidateRouteHost(v any) string {
	s := v.(string)
	return validateHostWithOptionalPort(strings.ReplaceAll(s, "*", "abc"))
}

func validatePath(v any) string {
	s := v.(string)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte(".-_~/%", c) >= 0 {
			continue
		}
		return "invalid path: '" + s + "' (characters outside of the reserved list of RFC 3986 found)"
	}
	return ValidatePercentEncoding(s)
}

// ValidatePercentEncoding reports a "%" not followed by two hex digits.
func ValidatePercentEncoding(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			i += 2
			continue
		}
		end := i + 3
		if end > len(s) {
			end = len(s)
		}
		return "invalid url-encoded value: '" + s[i:end] + "'"
	}
	return ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func validateIPOrCIDR(v any) string {
	s := v.(string)
	if strings.Contains(s, "/") {
		if _, err := netip.ParsePrefix(s); err != nil {
			return "invalid ip or cidr range: '" + s + "'"
		}
		return ""
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return "invalid ip or cidr range: '" + s + "'"
	}
	return ""
}

// Strings converts a list of strings to a JSON array value.
func Strings(list ...string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// Nums converts ints to JSON numbers.
func Nums(list ...int) []any {
	out := make([]any, len(list))
	for i, n := range list {
		out[i] = float64(n)
	}
	return out
}
