package conf

import "fmt"

// validate applies the rules that involve more than one key. Messages are
// Kong's (kong/conf_loader/parse.lua) where Kong has one, minus the leading
// key name that Error already prints. A rule is skipped when one of its keys
// failed to parse, so one typo does not produce a cascade of errors.
func (l *loader) validate(c *Config) {
	ok := func(names ...string) bool {
		for _, n := range names {
			if l.failed[n] {
				return false
			}
		}
		return true
	}

	// DB-less mode is the only one that loads a declarative file; in the
	// others the setting would be silently ignored, which hides mistakes.
	if ok("database") && c.Database != DatabaseOff {
		if ok("declarative_config") && c.DeclarativeConfig != "" {
			l.fail(c, "declarative_config", fmt.Sprintf(`can only be used when database = "off" (database is %q)`, c.Database))
		}
		if ok("declarative_config_string") && c.DeclarativeConfigString != "" {
			l.fail(c, "declarative_config_string", fmt.Sprintf(`can only be used when database = "off" (database is %q)`, c.Database))
		}
	}

	if ok("role", "database") {
		switch c.Role {
		case RoleDataPlane:
			if c.Database != DatabaseOff {
				l.fail(c, "role", `only in-memory storage can be used when role = "data_plane"; hint: set database = off`)
			}
			if ok("proxy_listen") && len(c.ProxyListen) == 0 {
				l.fail(c, "proxy_listen", `must be specified when role = "data_plane"`)
			}
			if ok("cluster_control_plane") && c.ClusterControlPlane == "" {
				l.fail(c, "cluster_control_plane", `must be specified when role = "data_plane"`)
			}
		case RoleControlPlane:
			if c.Database == DatabaseOff {
				l.fail(c, "role", `in-memory storage can not be used when role = "control_plane"`)
			}
			if ok("admin_listen") && len(c.AdminListen) == 0 {
				l.fail(c, "admin_listen", `must be specified when role = "control_plane"`)
			}
			if ok("cluster_listen") && len(c.ClusterListen) == 0 {
				l.fail(c, "cluster_listen", `must be specified when role = "control_plane"`)
			}
		}
	}
	if ok("role", "cluster_cert", "cluster_cert_key") && c.Role != RoleTraditional &&
		(c.ClusterCert == "" || c.ClusterCertKey == "") {
		l.fail(c, "role", "cluster certificate and key must be provided to use Hybrid mode")
	}

	// Certificates and keys go in pairs. Kong checks this only when a
	// listener uses ssl, but an unpaired one is a mistake either way.
	for _, p := range [][2]string{
		{"ssl_cert", "ssl_cert_key"},
		{"admin_ssl_cert", "admin_ssl_cert_key"},
		{"status_ssl_cert", "status_ssl_cert_key"},
		{"cluster_cert", "cluster_cert_key"},
	} {
		cert, key := p[0], p[1]
		if !ok(cert, key) {
			continue
		}
		nc, nk := count(current(byName[cert].bind(c))), count(current(byName[key].bind(c)))
		switch {
		case nc > 0 && nk == 0:
			l.fail(c, cert, key+" must be specified")
		case nk > 0 && nc == 0:
			l.fail(c, key, cert+" must be specified")
		case nc != nk:
			l.fail(c, cert, fmt.Sprintf("%s was specified %d times while %s was specified %d times", cert, nc, key, nk))
		}
	}

	l.checkListenConflicts(c, ok)
	l.warnOpenAdmin(c)
}

// count is the number of values a certificate setting holds.
func count(v any) int {
	switch x := v.(type) {
	case string:
		if x == "" {
			return 0
		}
		return 1
	case []string:
		return len(x)
	}
	return 0
}

// checkListenConflicts rejects an address bound twice across the listeners
// this node starts: the second bind would fail at start with a far less
// helpful "address already in use".
func (l *loader) checkListenConflicts(c *Config, ok func(...string) bool) {
	names := []string{"proxy_listen", "admin_listen", "status_listen"}
	if c.Role == RoleControlPlane {
		names = append(names, "cluster_listen")
	}
	type bound struct {
		key string
		l   Listener
	}
	var seen []bound
	for _, name := range names {
		if !ok(name) {
			continue
		}
	next:
		for _, ln := range current(byName[name].bind(c)).([]Listener) {
			for _, b := range seen {
				if !b.l.conflicts(ln) {
					continue
				}
				if b.l.Addr() == ln.Addr() {
					l.fail(c, name, fmt.Sprintf("address %s is already used by %s", ln.Addr(), b.key))
				} else {
					l.fail(c, name, fmt.Sprintf("address %s overlaps %s used by %s", ln.Addr(), b.l.Addr(), b.key))
				}
				continue next
			}
			seen = append(seen, bound{name, ln})
		}
	}
}

// warnOpenAdmin flags the classic Kong exposure: an Admin API reachable
// beyond loopback with no authentication.
func (l *loader) warnOpenAdmin(c *Config) {
	if c.AdminToken != "" {
		return
	}
	for _, ln := range c.AdminListen {
		ip, isIP := ln.ip()
		if isIP && ip.IsLoopback() || !isIP && ln.Host == "localhost" {
			continue
		}
		l.warn(c.origins["admin_listen"], "admin_listen", fmt.Sprintf(
			"the Admin API listens on %s without admin_token: anyone who can reach it can change the configuration", ln.Addr()))
		return
	}
}
