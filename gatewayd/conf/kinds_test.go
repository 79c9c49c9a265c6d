package conf

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseValueByKind(t *testing.T) {
	tests := []struct {
		name string
		key  key
		raw  string
		want any
	}{
		{"bool on", key{kind: KindBool}, "on", true},
		{"bool TRUE", key{kind: KindBool}, "TRUE", true},
		{"bool off", key{kind: KindBool}, "off", false},
		{"bool false", key{kind: KindBool}, "false", false},
		{"int", key{kind: KindInt}, "42", 42},
		{"seconds as a number", key{kind: KindSeconds}, "60", 60 * time.Second},
		{"seconds with a fraction", key{kind: KindSeconds}, "0.25", 250 * time.Millisecond},
		{"seconds with a unit", key{kind: KindSeconds}, "2m", 2 * time.Minute},
		{"milliseconds as a number", key{kind: KindMilliseconds}, "5000", 5 * time.Second},
		{"milliseconds with a unit", key{kind: KindMilliseconds}, "1s", time.Second},
		{"zero seconds allowed unless positive", key{kind: KindSeconds}, "0", time.Duration(0)},
		{"size in bytes", key{kind: KindSize}, "512", int64(512)},
		{"size in k", key{kind: KindSize}, "8k", int64(8 << 10)},
		{"size in M", key{kind: KindSize}, "10M", int64(10 << 20)},
		{"size in g", key{kind: KindSize}, "1g", int64(1 << 30)},
		{"size zero", key{kind: KindSize}, "0", int64(0)},
		{"buffers", key{kind: KindBuffers}, "4  8k", BufferSpec{Count: 4, Size: 8 << 10}},
		{"list drops empty entries", key{kind: KindList}, " a, ,b ,", []string{"a", "b"}},
		{"empty list", key{kind: KindList}, "", []string{}},
		{"list off", key{kind: KindList, allowOff: true}, "OFF", []string{}},
		{"list off is literal without allowOff", key{kind: KindList}, "off", []string{"off"}},
		{"list choices are canonicalised", key{kind: KindList, choices: headerChoices}, "x-gatewayd-request-id, VIA", []string{"X-Gatewayd-Request-Id", "Via"}},
		{"cidr list", key{kind: KindCIDRList}, "10.1.2.3/8, 2001:db8::1, unix:", cidrList{prefixes: mustPrefixes(t, "10.0.0.0/8", "2001:db8::1/128"), unix: true}},
		{"address list", key{kind: KindAddrList}, "1.1.1.1, 9.9.9.9:5353", mustAddrPorts(t, "1.1.1.1:53", "9.9.9.9:5353")},
		{"host:port with a name", key{kind: KindHostPort}, "cp.example.com:8005", "cp.example.com:8005"},
		{"pem list literal", key{kind: KindPEMList, choices: []string{"system"}}, "system", []string{"system"}},
		{"inline pem", key{kind: KindPEM}, "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----"},
		{"path keeps its text", key{kind: KindPath}, "logs/a b.log", "logs/a b.log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseValue(&tt.key, tt.raw)
			if err != nil {
				t.Fatalf("parseValue(%q): %v", tt.raw, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseValue(%q) = %#v, want %#v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseValueRejects(t *testing.T) {
	tests := []struct {
		name    string
		key     key
		raw     string
		wantErr string
	}{
		{"bool yes", key{kind: KindBool}, "yes", "invalid boolean"},
		{"bool empty", key{kind: KindBool}, "", "invalid boolean"},
		{"int float", key{kind: KindInt}, "1.5", "invalid integer"},
		{"int above max", key{kind: KindInt, min: 1, max: 10}, "11", "must be between 1 and 10, got 11"},
		{"seconds inf", key{kind: KindSeconds}, "inf", "invalid duration"},
		{"seconds hex float", key{kind: KindSeconds}, "0x1p3", "invalid duration"},
		{"seconds negative number", key{kind: KindSeconds}, "-1", "invalid duration"},
		{"seconds overflow", key{kind: KindSeconds}, "99999999999999999999", "too large"},
		{"positive seconds zero", key{kind: KindSeconds, positive: true}, "0", "must be greater than 0"},
		{"size negative", key{kind: KindSize}, "-1k", "invalid size"},
		{"size unit only", key{kind: KindSize}, "k", "invalid size"},
		{"size unknown unit", key{kind: KindSize}, "1t", "invalid size"},
		{"size overflow", key{kind: KindSize}, "99999999999999g", "too large"},
		{"buffers count zero", key{kind: KindBuffers}, "0 8k", "invalid buffer count"},
		{"buffers size zero", key{kind: KindBuffers}, "4 0", "invalid buffer size"},
		{"buffers absurd", key{kind: KindBuffers}, "1024 1m", "total more than 64m"},
		{"cidr host name", key{kind: KindCIDRList}, "example.com", "invalid entry"},
		{"address list port zero", key{kind: KindAddrList}, "1.1.1.1:0", "port must be 1-65535"},
		{"host:port bad port", key{kind: KindHostPort}, "cp:http", `invalid port "http"`},
		{"host:port no host", key{kind: KindHostPort}, ":8005", "expected host:port"},
		{"path with NUL", key{kind: KindPath}, "a\x00b", "NUL"},
		{"required empty", key{kind: KindString, required: true}, "", "must not be empty"},
		{"pem directory", key{kind: KindPEM}, "/", "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseValue(&tt.key, tt.raw)
			if err == nil {
				t.Fatalf("parseValue(%q) = %#v, want error containing %q", tt.raw, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseValue(%q) error = %q, want it to contain %q", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestRenderValueUsesKongUnits(t *testing.T) {
	tests := []struct {
		name string
		key  key
		v    any
		want any
	}{
		{"whole seconds are integers", key{kind: KindSeconds}, 5 * time.Second, int64(5)},
		{"fractional seconds are floats", key{kind: KindSeconds}, 1500 * time.Millisecond, 1.5},
		{"milliseconds", key{kind: KindMilliseconds}, 5 * time.Second, int64(5000)},
		{"size", key{kind: KindSize}, int64(10 << 20), "10m"},
		{"odd size", key{kind: KindSize}, int64(1000), "1000"},
		{"secret string", key{kind: KindString, secret: true}, "x", RedactedValue},
		{"empty secret", key{kind: KindString, secret: true}, "", ""},
		{"secret list", key{kind: KindPEMList, secret: true}, []string{"k.pem"}, RedactedValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderValue(&tt.key, tt.v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("renderValue(%#v) = %#v, want %#v", tt.v, got, tt.want)
			}
		})
	}
}

func TestErrorFormatting(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "gatewayd.conf", Line: 12, Key: "proxy_listen", Msg: `invalid port "80x0"`}, `gatewayd.conf:12: proxy_listen: invalid port "80x0"`},
		{Error{Env: "GATEWAYD_PROXY_LISTEN", Key: "proxy_listen", Msg: `invalid port "80x0"`}, `env GATEWAYD_PROXY_LISTEN: invalid port "80x0"`},
		{Error{File: "gatewayd.conf", Line: 3, Msg: "syntax error"}, "gatewayd.conf:3: syntax error"},
		{Error{File: "gatewayd.conf", Msg: "cannot read"}, "gatewayd.conf: cannot read"},
		{Error{Key: "role", Msg: "bad"}, "role: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	errs := Errors{&tests[0].err, &tests[1].err}
	if got, want := errs.Error(), tests[0].want+"\n"+tests[1].want; got != want {
		t.Errorf("Errors.Error() = %q, want %q", got, want)
	}
}

func TestSuggestFindsCloseKeys(t *testing.T) {
	for typo, want := range map[string]string{
		"admin_lisen":  "admin_listen",
		"PG_HOST":      "pg_host",
		"databse":      "database",
		"totally_else": "",
	} {
		if got := suggest(typo); got != want {
			t.Errorf("suggest(%q) = %q, want %q", typo, got, want)
		}
	}
}

func mustPrefixes(t *testing.T, ss ...string) []netip.Prefix {
	t.Helper()
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func mustAddrPorts(t *testing.T, ss ...string) []netip.AddrPort {
	t.Helper()
	out := make([]netip.AddrPort, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddrPort(s)
	}
	return out
}
