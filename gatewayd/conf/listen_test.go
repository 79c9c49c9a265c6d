package conf

import (
	"net"
	"reflect"
	"strings"
	"testing"
)

func TestParseListenersAcceptsKongSyntax(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  []Listener
	}{
		{
			name:  "kong default proxy_listen",
			value: "0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384",
			want: []Listener{
				{Host: "0.0.0.0", Port: 8000, ReusePort: true, Backlog: 16384},
				{Host: "0.0.0.0", Port: 8443, SSL: true, HTTP2: true, ReusePort: true, Backlog: 16384},
			},
		},
		{
			name:  "off means no listener",
			value: "off",
			want:  []Listener{},
		},
		{
			name:  "off with surrounding space",
			value: "  off ",
			want:  []Listener{},
		},
		{
			name:  "star is every IPv4 interface",
			value: "*:8000",
			want:  []Listener{{Host: "0.0.0.0", Port: 8000}},
		},
		{
			name:  "bracketed IPv6 loses its brackets in Host",
			value: "[::1]:8001 ssl",
			want:  []Listener{{Host: "::1", Port: 8001, SSL: true}},
		},
		{
			name:  "IPv6 wildcard next to IPv4 wildcard",
			value: "0.0.0.0:8000, [::]:8000 ipv6only=on",
			want:  []Listener{{Host: "0.0.0.0", Port: 8000}, {Host: "::", Port: 8000, IPv6Only: "on"}},
		},
		{
			name:  "IPv6 is canonicalised",
			value: "[2001:DB8:0:0::1]:80",
			want:  []Listener{{Host: "2001:db8::1", Port: 80}},
		},
		{
			name:  "host name",
			value: "localhost:8001",
			want:  []Listener{{Host: "localhost", Port: 8001}},
		},
		{
			name:  "every flag",
			value: "127.0.0.1:8443 ssl http2 proxy_protocol deferred bind reuseport backlog=511 ipv6only=off so_keepalive=30m::10",
			want: []Listener{{
				Host: "127.0.0.1", Port: 8443, SSL: true, HTTP2: true, ProxyProtocol: true,
				Deferred: true, Bind: true, ReusePort: true, Backlog: 511, IPv6Only: "off", SoKeepalive: "30m::10",
			}},
		},
		{
			name:  "so_keepalive on",
			value: "127.0.0.1:1 so_keepalive=on",
			want:  []Listener{{Host: "127.0.0.1", Port: 1, SoKeepalive: "on"}},
		},
		{
			name:  "extra whitespace and a trailing comma",
			value: "  127.0.0.1:8001\t ssl ,  127.0.0.1:8002 ,",
			want:  []Listener{{Host: "127.0.0.1", Port: 8001, SSL: true}, {Host: "127.0.0.1", Port: 8002}},
		},
		{
			name:  "highest port",
			value: "127.0.0.1:65535",
			want:  []Listener{{Host: "127.0.0.1", Port: 65535}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseListeners(tt.value)
			if err != nil {
				t.Fatalf("ParseListeners(%q): %v", tt.value, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseListeners(%q)\n got %+v\nwant %+v", tt.value, got, tt.want)
			}
		})
	}
}

func TestParseListenersRejectsMalformedEntries(t *testing.T) {
	tests := []struct {
		name, value, wantErr string
	}{
		{"empty value", "", "no address given"},
		{"only commas", " , ,", "no address given"},
		{"letters in port", "0.0.0.0:80x0", `invalid port "80x0"`},
		{"port zero", "0.0.0.0:0", `invalid port "0" (expected 1-65535)`},
		{"port too large", "0.0.0.0:65536", `invalid port "65536" (expected 1-65535)`},
		{"negative port", "0.0.0.0:-1", `invalid port "-1"`},
		{"no port", "0.0.0.0", `missing port in address "0.0.0.0"`},
		{"empty port", "0.0.0.0:", "missing port"},
		{"bare port", "8000", `missing port in address "8000"`},
		{"no host", ":8000", `missing host in address ":8000"`},
		{"unbracketed IPv6", "::1:8000", "IPv6 addresses must be enclosed in brackets"},
		{"unclosed bracket", "[::1:8000", `missing ']'`},
		{"IPv4 in brackets", "[127.0.0.1]:80", `invalid IPv6 address "127.0.0.1"`},
		{"bracketed without port", "[::1]", "missing port"},
		{"bad IPv4", "10.0.0.256:80", `invalid host "10.0.0.256"`},
		{"bad host name", "exa_mple.com:80", `invalid host "exa_mple.com"`},
		{"unknown flag", "0.0.0.0:8000 sssl", `unknown flag "sssl"`},
		{"unknown flag with value", "0.0.0.0:8000 rcvbuf=1k", `unknown flag "rcvbuf=1k"`},
		{"backlog not a number", "0.0.0.0:8000 backlog=lots", `invalid backlog "lots"`},
		{"backlog zero", "0.0.0.0:8000 backlog=0", `invalid backlog "0"`},
		{"ipv6only bad value", "[::]:8000 ipv6only=yes", `invalid ipv6only "yes"`},
		{"so_keepalive bad value", "0.0.0.0:8000 so_keepalive=1:2", `invalid so_keepalive "1:2"`},
		{"off mixed with an address", "off, 0.0.0.0:8000", `"off" cannot be combined with addresses`},
		{"second entry broken", "0.0.0.0:8000, 0.0.0.0:x", `invalid port "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseListeners(tt.value)
			if err == nil {
				t.Fatalf("ParseListeners(%q) = %+v, want error containing %q", tt.value, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseListeners(%q) error = %q, want it to contain %q", tt.value, err, tt.wantErr)
			}
		})
	}
}

func TestListenerAddrBracketsIPv6(t *testing.T) {
	tests := []struct {
		l    Listener
		want string
	}{
		{Listener{Host: "0.0.0.0", Port: 8000}, "0.0.0.0:8000"},
		{Listener{Host: "::1", Port: 8444}, "[::1]:8444"},
		{Listener{Host: "localhost", Port: 1}, "localhost:1"},
	}
	for _, tt := range tests {
		if got := tt.l.Addr(); got != tt.want {
			t.Errorf("%+v.Addr() = %q, want %q", tt.l, got, tt.want)
		}
	}
}

func TestListenerStringUsesKongFlagOrder(t *testing.T) {
	l := Listener{Host: "::", Port: 8443, HTTP2: true, SSL: true, ReusePort: true, Backlog: 16384}
	if got, want := l.String(), "[::]:8443 ssl http2 reuseport backlog=16384"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestListenerConflicts(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"127.0.0.1:8000", "127.0.0.1:8000", true},
		{"0.0.0.0:8000", "127.0.0.1:8000", true},
		{"127.0.0.1:8000", "0.0.0.0:8000", true},
		{"[::]:8000", "[::1]:8000", true},
		{"0.0.0.0:8000", "[::]:8000", false}, // Kong configs list both; nginx binds [::] ipv6only
		{"127.0.0.1:8000", "127.0.0.2:8000", false},
		{"127.0.0.1:8000", "127.0.0.1:8001", false},
		{"localhost:8000", "LOCALHOST:8000", true},
		{"localhost:8000", "127.0.0.1:8000", false}, // names are not resolved
	}
	for _, tt := range tests {
		a, err := ParseListeners(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseListeners(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := a[0].conflicts(b[0]); got != tt.want {
			t.Errorf("%s conflicts with %s = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzParseListeners checks that the parser never panics and that whatever
// it accepts is a usable address that renders back to itself.
func FuzzParseListeners(f *testing.F) {
	for _, seed := range []string{
		"0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384",
		"off",
		"[::1]:8444 ssl",
		"*:80",
		"[fe80::1%eth0]:8000 ipv6only=on so_keepalive=1m:2s:3",
		"localhost:8001 proxy_protocol deferred bind",
		"0.0.0.0:80x0",
		"::1:8000",
		"[::1",
		",,",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		ls, err := ParseListeners(value)
		if err != nil {
			return
		}
		for _, l := range ls {
			if l.Port < 1 || l.Port > 65535 {
				t.Fatalf("ParseListeners(%q) accepted port %d", value, l.Port)
			}
			if _, _, err := net.SplitHostPort(l.Addr()); err != nil {
				t.Fatalf("ParseListeners(%q): Addr() %q is not host:port: %v", value, l.Addr(), err)
			}
			again, err := ParseListeners(l.String())
			if err != nil {
				t.Fatalf("ParseListeners(%q): String() %q does not parse: %v", value, l.String(), err)
			}
			if len(again) != 1 || !reflect.DeepEqual(again[0], l) {
				t.Fatalf("ParseListeners(%q): %q round-trips to %+v, want %+v", value, l.String(), again, l)
			}
		}
	})
}
