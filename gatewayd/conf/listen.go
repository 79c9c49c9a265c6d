package conf

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Listener is one entry of a *_listen setting, e.g.
// "0.0.0.0:8443 http2 ssl reuseport backlog=16384".
type Listener struct {
	// Host is an IP address in canonical form (IPv6 without brackets) or a
	// host name; "*" in the configuration becomes "0.0.0.0".
	Host string
	Port int

	SSL           bool
	HTTP2         bool
	ProxyProtocol bool
	ReusePort     bool
	Backlog       int // 0 = the system default

	// Flags nginx accepts that matter less to a Go listener; kept so that a
	// listener renders back exactly as configured.
	Deferred    bool
	Bind        bool
	IPv6Only    string // "on", "off" or "" (unset)
	SoKeepalive string // "on", "off", "[idle]:[interval]:[count]" or "" (unset)
}

// Addr is the host:port form net.Listen expects (IPv6 in brackets).
func (l Listener) Addr() string {
	return net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
}

// String renders the listener in kong.conf syntax, flags in Kong's order.
// ParseListeners(l.String()) yields l again.
func (l Listener) String() string {
	var b strings.Builder
	b.WriteString(l.Addr())
	for _, f := range []struct {
		on   bool
		name string
	}{
		{l.SSL, "ssl"},
		{l.HTTP2, "http2"},
		{l.ProxyProtocol, "proxy_protocol"},
		{l.Deferred, "deferred"},
		{l.Bind, "bind"},
		{l.ReusePort, "reuseport"},
	} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if l.Backlog > 0 {
		b.WriteString(" backlog=" + strconv.Itoa(l.Backlog))
	}
	if l.IPv6Only != "" {
		b.WriteString(" ipv6only=" + l.IPv6Only)
	}
	if l.SoKeepalive != "" {
		b.WriteString(" so_keepalive=" + l.SoKeepalive)
	}
	return b.String()
}

// ip returns the host as an address when it is a literal IP.
func (l Listener) ip() (netip.Addr, bool) {
	a, err := netip.ParseAddr(l.Host)
	return a, err == nil
}

// conflicts reports whether binding both listeners would fail with "address
// already in use": same port, and the same host or a wildcard of the same
// family. 0.0.0.0 and [::] do not conflict: nginx binds [::] with
// ipv6only=on, and Kong configurations list both to serve both families.
func (l Listener) conflicts(o Listener) bool {
	if l.Port != o.Port {
		return false
	}
	a, aok := l.ip()
	b, bok := o.ip()
	if !aok || !bok {
		return strings.EqualFold(l.Host, o.Host)
	}
	if a == b {
		return true
	}
	if a.Is4() != b.Is4() {
		return false
	}
	return a.IsUnspecified() || b.IsUnspecified()
}

// listenUsage is Kong's own usage line, shown when an entry has no recognisable shape.
const listenUsage = "must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] [reuseport] [backlog=N] [ipv6only=on|off] [so_keepalive=...], [... next entry ...]"

// ParseListeners parses a *_listen value (kong/conf_loader/listeners.lua):
// comma-separated "host:port [flag...]" entries, or "off" for no listener,
// in which case it returns an empty, non-nil slice.
func ParseListeners(value string) ([]Listener, error) {
	entries := strings.Split(value, ",")
	var nonEmpty []string
	for _, e := range entries {
		if e = strings.TrimSpace(e); e != "" {
			nonEmpty = append(nonEmpty, e)
		}
	}
	if len(nonEmpty) == 0 {
		return nil, errors.New("no address given; " + listenUsage)
	}
	for _, e := range nonEmpty {
		if e == "off" {
			if len(nonEmpty) > 1 {
				return nil, errors.New(`"off" cannot be combined with addresses`)
			}
			return []Listener{}, nil
		}
	}
	out := make([]Listener, 0, len(nonEmpty))
	for _, e := range nonEmpty {
		l, err := parseListener(e)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func parseListener(entry string) (Listener, error) {
	fields := strings.Fields(entry)
	host, port, err := splitListenAddr(fields[0])
	if err != nil {
		return Listener{}, err
	}
	l := Listener{Host: host, Port: port}
	for _, f := range fields[1:] {
		if err := l.setFlag(f); err != nil {
			return Listener{}, err
		}
	}
	return l, nil
}

func (l *Listener) setFlag(f string) error {
	name, val, hasVal := strings.Cut(f, "=")
	if !hasVal {
		switch name {
		case "ssl":
			l.SSL = true
		case "http2":
			l.HTTP2 = true
		case "proxy_protocol":
			l.ProxyProtocol = true
		case "deferred":
			l.Deferred = true
		case "bind":
			l.Bind = true
		case "reuseport":
			l.ReusePort = true
		default:
			return unknownFlag(f)
		}
		return nil
	}
	switch name {
	case "backlog":
		n, err := strconv.Atoi(val)
		if err != nil || !isDigits(val) || n < 1 {
			return fmt.Errorf("invalid backlog %q (expected a positive integer)", val)
		}
		l.Backlog = n
	case "ipv6only":
		if val != "on" && val != "off" {
			return fmt.Errorf("invalid ipv6only %q (expected on or off)", val)
		}
		l.IPv6Only = val
	case "so_keepalive":
		if !validSoKeepalive(val) {
			return fmt.Errorf("invalid so_keepalive %q (expected on, off or [keepidle]:[keepintvl]:[keepcnt])", val)
		}
		l.SoKeepalive = val
	default:
		return unknownFlag(f)
	}
	return nil
}

func unknownFlag(f string) error {
	return fmt.Errorf("unknown flag %q (expected ssl, http2, proxy_protocol, deferred, bind, reuseport, backlog=N, ipv6only=on|off or so_keepalive=...)", f)
}

// splitListenAddr splits and normalises "host:port". Unlike
// net.SplitHostPort it insists on brackets around IPv6 addresses, because
// "::1:8000" is ambiguous.
func splitListenAddr(addr string) (string, int, error) {
	var host, port string
	if rest, ok := strings.CutPrefix(addr, "["); ok {
		h, after, ok := strings.Cut(rest, "]")
		if !ok {
			return "", 0, fmt.Errorf("invalid address %q: missing ']'", addr)
		}
		p, ok := strings.CutPrefix(after, ":")
		if !ok {
			return "", 0, fmt.Errorf("missing port in address %q; %s", addr, listenUsage)
		}
		ip, err := netip.ParseAddr(h)
		if err != nil || !ip.Is6() {
			return "", 0, fmt.Errorf("invalid IPv6 address %q", h)
		}
		host, port = ip.String(), p
	} else {
		i := strings.LastIndexByte(addr, ':')
		if i < 0 {
			return "", 0, fmt.Errorf("missing port in address %q; %s", addr, listenUsage)
		}
		host, port = addr[:i], addr[i+1:]
		switch {
		case host == "":
			return "", 0, fmt.Errorf("missing host in address %q (use * or 0.0.0.0 for all interfaces)", addr)
		case host == "*":
			host = "0.0.0.0"
		case strings.Contains(host, ":"):
			return "", 0, fmt.Errorf("invalid address %q: IPv6 addresses must be enclosed in brackets, e.g. [::1]:8000", addr)
		default:
			h, err := normalizeHost(host)
			if err != nil {
				return "", 0, err
			}
			host = h
		}
	}
	p, err := parsePort(port)
	if err != nil {
		return "", 0, err
	}
	return host, p, nil
}

// normalizeHost accepts an IPv4 address or a DNS name (nginx resolves
// names in listen directives, and Kong passes them through).
func normalizeHost(h string) (string, error) {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.String(), nil
	}
	if !validHostname(h) {
		return "", fmt.Errorf("invalid host %q", h)
	}
	return h, nil
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	// A name whose last label is numeric is a mistyped IPv4 address
	// ("10.0.0.256"), not a host name.
	return !isDigits(labels[len(labels)-1])
}

func parsePort(s string) (int, error) {
	if !isDigits(s) {
		if s == "" {
			return 0, errors.New("missing port")
		}
		return 0, fmt.Errorf("invalid port %q", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("invalid port %q (expected 1-65535)", s)
	}
	return n, nil
}

// validSoKeepalive checks nginx's so_keepalive=on|off|[keepidle]:[keepintvl]:[keepcnt].
func validSoKeepalive(v string) bool {
	if v == "on" || v == "off" {
		return true
	}
	parts := strings.Split(v, ":")
	if len(parts) != 3 || v == "::" {
		return false
	}
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i == 2 {
			if !isDigits(p) {
				return false
			}
			continue
		}
		// keepidle and keepintvl are nginx times: digits with an optional unit.
		num := strings.TrimRight(p, "smhd")
		if len(p)-len(num) > 1 || !isDigits(num) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
