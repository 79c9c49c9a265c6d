package gateway

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ExpandServiceURL applies Kong's `url` shorthand for services on the
// client side — protocol, host, port and path — so that the comparison
// sees the fields the server stores (it never stores `url`). As on the
// server, a URL without a path means path null, and the port defaults
// to 443 for https and 80 otherwise.
func ExpandServiceURL(raw string) (map[string]any, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("url %q: expected scheme://host[:port][/path]", raw)
	}
	out := map[string]any{"protocol": u.Scheme, "host": u.Hostname(), "path": nil}
	port := 80
	if u.Scheme == "https" || u.Scheme == "grpcs" || u.Scheme == "tls" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("url %q: bad port %q", raw, p)
		}
		port = n
	}
	out["port"] = port
	if u.EscapedPath() != "" {
		out["path"] = u.EscapedPath()
	}
	return out, nil
}

// DefaultTargetPort is the port Kong adds to a target given without one.
const DefaultTargetPort = "8000"

// NormalizeTarget writes a target as the server stores it: host:port with
// the default port added and IPv6 addresses bracketed, so that "10.0.0.1"
// finds and matches the stored "10.0.0.1:8000".
func NormalizeTarget(target string) string {
	if host, port, err := net.SplitHostPort(target); err == nil {
		return net.JoinHostPort(host, port)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(target, "["), "]")
	return net.JoinHostPort(host, DefaultTargetPort)
}
