package httppath

import (
	"strings"
	"testing"
)

func TestValidateRoutePath(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"plain prefix is valid", "/route", ""},
		{"root is valid", "/", ""},
		{"trailing slash is valid", "/route/", ""},
		{"reserved escape is valid", "/endel%2Fst", ""},
		{"escaped space is valid", "/cat%20dog", ""},
		{"sub-delims are valid", "/a:b@c!$&'()*+,;=", ""},
		{"regex is valid", `~/users/\d+/profile`, ""},
		{"regex with named group is valid", `~/users/(?<id>\d+)`, ""},
		{"regex with P named group is valid", `~/users/(?P<id>\d+)`, ""},

		{"empty path", "", "length must be at least 1"},
		{"missing leading slash", "route", "should start with: / (fixed path) or ~/ (regex path)"},
		{"regex without leading slash", "~route", "should start with: / (fixed path) or ~/ (regex path)"},
		{"empty segment in plain path", "/foo//bar", "must not have empty segments"},
		{"empty segment is reported before the start check", "foo//bar", "must not have empty segments"},
		{"empty segment in regex path", "~/foo//bar", "must not have empty segments"},
		{"look-ahead is rejected like Kong's Rust regex", "~/foo(?!bar)", "invalid regex: '/foo(?!bar)' (PCRE returned: error parsing regexp: invalid or unsupported Perl syntax: `(?!`)"},
		{"unbalanced group", "~/foo(", "invalid regex: '/foo(' (PCRE returned: error parsing regexp: missing closing ): `/foo(`)"},
		{"dot segment is not normalized", "/foo/../bar", "non-normalized path, consider use '/bar' instead"},
		{"dot is not normalized", "/foo/./bar", "non-normalized path, consider use '/foo/bar' instead"},
		{"escaped unreserved char is not normalized", "/h%65llo", "non-normalized path, consider use '/hello' instead"},
		{"lower-case reserved escape is not normalized", "/a%2fb", "non-normalized path, consider use '/a%2Fb' instead"},
		{"invalid escape", "/foo%zz", "invalid url-encoded value: '%zz'"},
		{"truncated escape", "/foo%2", "invalid url-encoded value: '%2'"},
		{"lone percent", "/foo%", "invalid url-encoded value: '%'"},
		{"valid escape after a bad percent is blanked", "/a%%41", "invalid url-encoded value: '%__'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateRoutePath(tt.path); got != tt.want {
				t.Fatalf("ValidateRoutePath(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestValidateRoutePathAcceptsWhatNormalizeProduces(t *testing.T) {
	for _, raw := range []string{"/a/./b", "/h%65llo/%2f", "/x//y/../z/"} {
		norm := string(Normalize(nil, []byte(raw)))
		if msg := ValidateRoutePath(norm); msg != "" {
			t.Errorf("ValidateRoutePath(%q) = %q, want valid", norm, msg)
		}
		if msg := ValidateRoutePath(raw); !strings.Contains(msg, norm) && msg != "must not have empty segments" {
			t.Errorf("ValidateRoutePath(%q) = %q, want a suggestion of %q", raw, msg, norm)
		}
	}
}
