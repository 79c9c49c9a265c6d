package conf

import "strings"

// Kind is how a key's text value is parsed, validated and rendered.
type Kind int

const (
	KindString       Kind = iota
	KindBool              // on/off/true/false
	KindInt               // integer, bounded by the key's min/max
	KindSeconds           // a number of seconds, as Kong counts them (a unit suffix such as 500ms is also accepted)
	KindMilliseconds      // a number of milliseconds, as Kong counts them
	KindSize              // nginx size: 0, 512, 8k, 10m, 1g
	KindBuffers           // nginx "number size", e.g. "4 8k"
	KindList              // comma-separated; entries restricted to the key's choices when it has any
	KindEnum              // one of the key's choices
	KindPath              // a file path; relative paths are relative to the prefix (or cwd for prefix itself)
	KindListen            // listener entries, see ParseListeners
	KindCIDRList          // IP addresses or CIDR blocks, plus the special value "unix:"
	KindAddrList          // IP addresses with an optional port (DNS resolvers; port 53 by default)
	KindHostPort          // host:port
	KindPEM               // a PEM file path, inline PEM, or base64-encoded PEM
	KindPEMList           // comma-separated KindPEM values
)

var kindNames = [...]string{
	KindString:       "string",
	KindBool:         "boolean",
	KindInt:          "integer",
	KindSeconds:      "seconds",
	KindMilliseconds: "milliseconds",
	KindSize:         "size",
	KindBuffers:      "buffers",
	KindList:         "list",
	KindEnum:         "enum",
	KindPath:         "path",
	KindListen:       "listen",
	KindCIDRList:     "cidr list",
	KindAddrList:     "address list",
	KindHostPort:     "host:port",
	KindPEM:          "pem",
	KindPEMList:      "pem list",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// key declares one configuration key. The table below is the only place a
// key is described: parsing, defaults, validation, rendering, redaction and
// documentation are all driven from it.
type key struct {
	name     string
	def      string // default, in configuration-file syntax
	kind     Kind
	choices  []string // KindEnum: allowed values; KindList: allowed entries (matched case-insensitively); KindPEMList: literal tokens allowed besides PEM
	min, max int      // KindInt bounds; max 0 = unbounded
	positive bool     // KindSeconds/KindMilliseconds: zero is not allowed
	allowOff bool     // KindList: "off" alone means an empty list
	required bool     // the value may not be empty
	secret   bool     // redacted when rendered
	ignored  bool     // accepted for Kong compatibility, has no effect
	aliases  []string // Kong key names that set this key too
	desc     string
	bind     func(*Config) any // pointer to the Config field(s) the parsed value lands in
}

// KeyInfo describes a configuration key, for documentation and `gatewayd check`.
type KeyInfo struct {
	Name        string
	Default     string
	Kind        Kind
	Choices     []string
	Secret      bool
	Ignored     bool
	Aliases     []string
	Description string
}

// Keys lists every configuration key in the table's (documentation) order.
func Keys() []KeyInfo {
	out := make([]KeyInfo, len(keys))
	for i, k := range keys {
		out[i] = KeyInfo{
			Name:        k.name,
			Default:     k.def,
			Kind:        k.kind,
			Choices:     append([]string(nil), k.choices...),
			Secret:      k.secret,
			Ignored:     k.ignored,
			Aliases:     append([]string(nil), k.aliases...),
			Description: k.desc,
		}
	}
	return out
}

// Values of the enum keys other packages switch on.
const (
	DatabaseSQLite   = "sqlite"
	DatabasePostgres = "postgres"
	DatabaseOff      = "off"

	RoleTraditional  = "traditional"
	RoleControlPlane = "control_plane"
	RoleDataPlane    = "data_plane"

	// RedactedValue replaces secrets when a configuration is rendered (Kong's placeholder).
	RedactedValue = "******"
)

// The response headers gatewayd can add (Kong's HEADER_KEY_TO_NAME, with
// gatewayd's brand). "server_tokens" stands for Server and Via,
// "latency_tokens" for the three latency headers.
var headerChoices = []string{
	"server_tokens",
	"latency_tokens",
	"Server",
	"Via",
	"X-Gatewayd-Proxy-Latency",
	"X-Gatewayd-Response-Latency",
	"X-Gatewayd-Admin-Latency",
	"X-Gatewayd-Upstream-Latency",
	"X-Gatewayd-Upstream-Status",
	"X-Gatewayd-Request-Id",
}

// The table. Kong names and defaults (kong@3.9.1 kong/templates/kong_defaults.lua)
// except where gatewayd differs on purpose; those are marked.
var keys = []*key{
	// General.
	{name: "prefix", def: "./.gatewayd", kind: KindPath, required: true,
		desc: "Working directory holding logs, the PID file, the SQLite database and generated certificates; made absolute against the current directory.",
		bind: func(c *Config) any { return &c.Prefix }},
	{name: "log_level", def: "notice", kind: KindEnum, choices: []string{"debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"},
		desc: "Minimum severity written to the error logs.",
		bind: func(c *Config) any { return &c.LogLevel }},
	{name: "proxy_access_log", def: "logs/access.log", kind: KindPath, required: true,
		desc: "Proxy access log, relative to the prefix; off disables it.",
		bind: func(c *Config) any { return &c.ProxyAccessLog }},
	{name: "proxy_error_log", def: "logs/error.log", kind: KindPath, required: true,
		desc: "Proxy error log, relative to the prefix; off disables it.",
		bind: func(c *Config) any { return &c.ProxyErrorLog }},
	{name: "admin_access_log", def: "logs/admin_access.log", kind: KindPath, required: true,
		desc: "Admin API access log, relative to the prefix; off disables it.",
		bind: func(c *Config) any { return &c.AdminAccessLog }},
	{name: "admin_error_log", def: "logs/error.log", kind: KindPath, required: true,
		desc: "Admin API error log, relative to the prefix; off disables it.",
		bind: func(c *Config) any { return &c.AdminErrorLog }},
	{name: "status_access_log", def: "off", kind: KindPath, required: true,
		desc: "Status API access log, relative to the prefix; off disables it.",
		bind: func(c *Config) any { return &c.StatusAccessLog }},
	{name: "status_error_log", def: "logs/status_error.log", kind: KindPath, required: true,
		desc: "Status API error log, relative to the prefix; off disables it.",
		bind: func(c *Config) any { return &c.StatusErrorLog }},
	{name: "plugins", def: "bundled", kind: KindList, allowOff: true,
		desc: "Plugins this node loads: bundled (all bundled plugins) and/or plugin names; off loads none.",
		bind: func(c *Config) any { return &c.Plugins }},
	{name: "anonymous_reports", def: "off", kind: KindBool, ignored: true,
		desc: "Accepted for Kong compatibility; gatewayd sends no reports.",
		bind: func(c *Config) any { return &c.AnonymousReports }},

	// Listeners.
	{name: "proxy_listen", def: "0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384", kind: KindListen,
		desc: "Addresses the proxy listens on; off disables the proxy.",
		bind: func(c *Config) any { return &c.ProxyListen }},
	{name: "admin_listen", def: "127.0.0.1:8001 reuseport backlog=16384, 127.0.0.1:8444 http2 ssl reuseport backlog=16384", kind: KindListen,
		desc: "Addresses the Admin API listens on; off disables it.",
		bind: func(c *Config) any { return &c.AdminListen }},
	{name: "status_listen", def: "127.0.0.1:8007 reuseport backlog=16384", kind: KindListen,
		desc: "Addresses the Status API listens on; off disables it.",
		bind: func(c *Config) any { return &c.StatusListen }},
	{name: "cluster_listen", def: "0.0.0.0:8005", kind: KindListen,
		desc: "Addresses a control plane accepts data plane connections on (role = control_plane only).",
		bind: func(c *Config) any { return &c.ClusterListen }},
	// gatewayd: Kong OSS has no admin authentication.
	{name: "admin_token", def: "", kind: KindString, secret: true,
		desc: "When set, the Admin API requires Authorization: Bearer <admin_token>. Empty disables admin authentication.",
		bind: func(c *Config) any { return &c.AdminToken }},

	// Datastore. gatewayd: sqlite is the default; Kong 3.x has only postgres.
	{name: "database", def: DatabaseSQLite, kind: KindEnum, choices: []string{DatabaseSQLite, DatabasePostgres, DatabaseOff},
		desc: "Datastore: sqlite (embedded file under the prefix), postgres, or off (DB-less, configuration from declarative_config or POST /config).",
		bind: func(c *Config) any { return &c.Database }},
	{name: "sqlite_path", def: "data/gatewayd.db", kind: KindPath, required: true,
		desc: "SQLite database file, relative to the prefix (database = sqlite).",
		bind: func(c *Config) any { return &c.SQLiteFile }},
	{name: "pg_host", def: "127.0.0.1", kind: KindString, required: true,
		desc: "PostgreSQL host.",
		bind: func(c *Config) any { return &c.PGHost }},
	{name: "pg_port", def: "5432", kind: KindInt, min: 1, max: 65535,
		desc: "PostgreSQL port.",
		bind: func(c *Config) any { return &c.PGPort }},
	{name: "pg_user", def: "gatewayd", kind: KindString, required: true,
		desc: "PostgreSQL user.",
		bind: func(c *Config) any { return &c.PGUser }},
	{name: "pg_password", def: "", kind: KindString, secret: true,
		desc: "PostgreSQL password.",
		bind: func(c *Config) any { return &c.PGPassword }},
	{name: "pg_database", def: "gatewayd", kind: KindString, required: true,
		desc: "PostgreSQL database.",
		bind: func(c *Config) any { return &c.PGDatabase }},
	{name: "pg_schema", def: "", kind: KindString,
		desc: "PostgreSQL schema; empty uses the user's search_path.",
		bind: func(c *Config) any { return &c.PGSchema }},
	{name: "pg_timeout", def: "5000", kind: KindMilliseconds, positive: true,
		desc: "PostgreSQL connect, read and write timeout, in milliseconds.",
		bind: func(c *Config) any { return &c.PGTimeout }},
	{name: "pg_ssl", def: "off", kind: KindBool,
		desc: "Use TLS to PostgreSQL.",
		bind: func(c *Config) any { return &c.PGSSL }},
	{name: "pg_ssl_verify", def: "off", kind: KindBool,
		desc: "Verify PostgreSQL's certificate against ssl_trusted_certificate (with pg_ssl = on).",
		bind: func(c *Config) any { return &c.PGSSLVerify }},
	{name: "pg_max_concurrent_queries", def: "0", kind: KindInt, min: 0,
		desc: "Maximum concurrent queries per node; 0 = unlimited.",
		bind: func(c *Config) any { return &c.PGMaxConcurrentQueries }},
	// gatewayd: Kong leaves the pool size to the OpenResty default per worker.
	{name: "pg_pool_size", def: "10", kind: KindInt, min: 1,
		desc: "Maximum PostgreSQL connections per node.",
		bind: func(c *Config) any { return &c.PGPoolSize }},
	{name: "declarative_config", def: "", kind: KindPath,
		desc: "Declarative configuration file (kong.yml format) loaded at start when database = off.",
		bind: func(c *Config) any { return &c.DeclarativeConfig }},
	{name: "declarative_config_string", def: "", kind: KindString, secret: true,
		desc: "Declarative configuration as a string (YAML or JSON); takes precedence over declarative_config.",
		bind: func(c *Config) any { return &c.DeclarativeConfigString }},
	{name: "db_update_frequency", def: "5", kind: KindSeconds, positive: true,
		desc: "Polling interval, in seconds, for changes made by other nodes; a fallback, as PostgreSQL notifications propagate changes at once.",
		bind: func(c *Config) any { return &c.DBUpdateFrequency }},

	// Proxy behaviour.
	{name: "trusted_ips", def: "", kind: KindCIDRList,
		desc: "Addresses/CIDR blocks (and unix: for Unix sockets) trusted to send X-Forwarded-* and real_ip_header. 0.0.0.0/0, ::/0 trusts everyone.",
		bind: func(c *Config) any { return cidrDst{&c.TrustedIPs, &c.TrustUnix} }},
	{name: "real_ip_header", def: "X-Real-IP", kind: KindString, required: true, aliases: []string{"nginx_proxy_real_ip_header"},
		desc: "Request header (or proxy_protocol) carrying the client address when the peer is trusted.",
		bind: func(c *Config) any { return &c.RealIPHeader }},
	{name: "real_ip_recursive", def: "off", kind: KindBool, aliases: []string{"nginx_proxy_real_ip_recursive"},
		desc: "Take the last untrusted address of real_ip_header instead of the last one.",
		bind: func(c *Config) any { return &c.RealIPRecursive }},
	{name: "allow_debug_header", def: "off", kind: KindBool,
		desc: "Answer Gatewayd-Debug: 1 requests with the matched route and service.",
		bind: func(c *Config) any { return &c.AllowDebugHeader }},
	{name: "proxy_inline_io", def: "on", kind: KindBool,
		desc: "Linux: proxy sockets read and write with raw system calls that keep the Go scheduler's P (fewer thread hand-offs and context switches, less CPU per request at moderate load) and socket deadlines are re-armed lazily (never early, at most 1/32 of the timeout late); off uses Go's ordinary socket I/O. No effect on other systems.",
		bind: func(c *Config) any { return &c.ProxyInlineIO }},
	{name: "headers", def: "server_tokens, latency_tokens, X-Gatewayd-Request-Id", kind: KindList, choices: headerChoices, allowOff: true,
		desc: "Headers gatewayd adds to responses; off adds none.",
		bind: func(c *Config) any { return &c.Headers }},
	{name: "headers_upstream", def: "X-Gatewayd-Request-Id", kind: KindList, choices: []string{"X-Gatewayd-Request-Id"}, allowOff: true,
		desc: "Headers gatewayd adds to upstream requests; off adds none.",
		bind: func(c *Config) any { return &c.HeadersUpstream }},
	{name: "error_default_type", def: "text/plain", kind: KindEnum, choices: []string{"application/json", "application/xml", "text/html", "text/plain"},
		desc: "Format of errors gatewayd generates when the request's Accept header does not choose one.",
		bind: func(c *Config) any { return &c.ErrorDefaultType }},
	{name: "router_flavor", def: "traditional_compatible", kind: KindEnum, choices: []string{"traditional", "traditional_compatible", "expressions"},
		desc: "Route matching flavor; gatewayd implements traditional_compatible semantics for every accepted value.",
		bind: func(c *Config) any { return &c.RouterFlavor }},
	{name: "client_max_body_size", def: "0", kind: KindSize, aliases: []string{"nginx_http_client_max_body_size"},
		desc: "Largest request body accepted (413 beyond); 0 = unlimited.",
		bind: func(c *Config) any { return &c.ClientMaxBodySize }},
	{name: "client_body_buffer_size", def: "8k", kind: KindSize, aliases: []string{"nginx_http_client_body_buffer_size"},
		desc: "Request bodies up to this size are buffered in memory before being proxied.",
		bind: func(c *Config) any { return &c.ClientBodyBufferSize }},
	{name: "large_client_header_buffers", def: "4 8k", kind: KindBuffers, aliases: []string{"nginx_http_large_client_header_buffers"},
		desc: "nginx-style number and size of header buffers; their product bounds the request line plus headers (larger requests get 431/414).",
		bind: func(c *Config) any { return &c.LargeClientHeaderBuffers }},
	// gatewayd: the server's read-header timeout (nginx's client_header_timeout).
	{name: "client_header_timeout", def: "60", kind: KindSeconds, positive: true, aliases: []string{"nginx_http_client_header_timeout"},
		desc: "Seconds a client has to send the request line and headers.",
		bind: func(c *Config) any { return &c.ClientHeaderTimeout }},
	{name: "upstream_keepalive_pool_size", def: "512", kind: KindInt, min: 0,
		desc: "Idle keepalive connections kept per upstream; 0 disables keepalive.",
		bind: func(c *Config) any { return &c.UpstreamKeepalivePoolSize }},
	{name: "upstream_keepalive_max_requests", def: "10000", kind: KindInt, min: 0,
		desc: "Requests sent over one upstream connection before it is closed; 0 = unlimited.",
		bind: func(c *Config) any { return &c.UpstreamKeepaliveMaxRequests }},
	{name: "upstream_keepalive_idle_timeout", def: "60", kind: KindSeconds,
		desc: "Seconds an idle upstream connection is kept; 0 = no limit.",
		bind: func(c *Config) any { return &c.UpstreamKeepaliveIdleTimeout }},
	{name: "dns_resolver", def: "", kind: KindAddrList,
		desc: "DNS servers (IP or IP:port) for upstream names; empty uses /etc/resolv.conf.",
		bind: func(c *Config) any { return &c.DNSResolver }},
	{name: "mem_cache_size", def: "128m", kind: KindSize, ignored: true,
		desc: "Accepted for Kong compatibility; gatewayd keeps its configuration snapshot in process memory.",
		bind: func(c *Config) any { return &c.MemCacheSize }},

	// TLS. Empty certificates make gatewayd generate self-signed defaults under <prefix>/ssl/.
	{name: "ssl_cert", def: "", kind: KindPEMList,
		desc: "Proxy TLS certificate(s): paths, PEM, or base64 PEM; one per key in ssl_cert_key.",
		bind: func(c *Config) any { return &c.SSLCert }},
	{name: "ssl_cert_key", def: "", kind: KindPEMList, secret: true,
		desc: "Proxy TLS private key(s), matching ssl_cert.",
		bind: func(c *Config) any { return &c.SSLCertKey }},
	{name: "admin_ssl_cert", def: "", kind: KindPEMList,
		desc: "Admin API TLS certificate(s).",
		bind: func(c *Config) any { return &c.AdminSSLCert }},
	{name: "admin_ssl_cert_key", def: "", kind: KindPEMList, secret: true,
		desc: "Admin API TLS private key(s), matching admin_ssl_cert.",
		bind: func(c *Config) any { return &c.AdminSSLCertKey }},
	{name: "status_ssl_cert", def: "", kind: KindPEMList,
		desc: "Status API TLS certificate(s).",
		bind: func(c *Config) any { return &c.StatusSSLCert }},
	{name: "status_ssl_cert_key", def: "", kind: KindPEMList, secret: true,
		desc: "Status API TLS private key(s), matching status_ssl_cert.",
		bind: func(c *Config) any { return &c.StatusSSLCertKey }},
	// gatewayd: Kong's lua_ssl_trusted_certificate.
	{name: "ssl_trusted_certificate", def: "system", kind: KindPEMList, choices: []string{"system"}, aliases: []string{"lua_ssl_trusted_certificate"},
		desc: "CA certificates trusted for upstream, PostgreSQL and cluster TLS: system (the OS bundle) and/or paths, PEM, or base64 PEM.",
		bind: func(c *Config) any { return &c.SSLTrustedCertificate }},

	// Hybrid mode.
	{name: "role", def: RoleTraditional, kind: KindEnum, choices: []string{RoleTraditional, RoleControlPlane, RoleDataPlane},
		desc: "traditional (standalone node), control_plane (serves configuration to data planes) or data_plane (proxies with configuration from a control plane).",
		bind: func(c *Config) any { return &c.Role }},
	{name: "cluster_cert", def: "", kind: KindPEM,
		desc: "Cluster mTLS certificate (hybrid mode): path, PEM, or base64 PEM.",
		bind: func(c *Config) any { return &c.ClusterCert }},
	{name: "cluster_cert_key", def: "", kind: KindPEM, secret: true,
		desc: "Cluster mTLS private key (hybrid mode).",
		bind: func(c *Config) any { return &c.ClusterCertKey }},
	{name: "cluster_control_plane", def: "127.0.0.1:8005", kind: KindHostPort,
		desc: "host:port of the control plane a data plane connects to.",
		bind: func(c *Config) any { return &c.ClusterControlPlane }},
}

// byName and byAlias index the table; built once, read-only afterwards.
var byName, byAlias = func() (map[string]*key, map[string]*key) {
	names := make(map[string]*key, len(keys))
	aliases := map[string]*key{}
	for _, k := range keys {
		names[k.name] = k
		for _, a := range k.aliases {
			aliases[a] = k
		}
	}
	return names, aliases
}()

// Kong keys gatewayd does not implement. Setting one is not a mistake for
// someone migrating a kong.conf, so it is accepted with a warning; anything
// else unknown is an error, to surface typos (Kong silently ignores them).
var kongOnlyKeys = map[string]bool{
	"vaults": true, "port_maps": true, "host_ports": true, "node_id": true,
	"proxy_server": true, "proxy_server_ssl_verify": true,
	"stream_listen": true, "debug_listen": true, "debug_access_log": true, "debug_error_log": true,
	"proxy_stream_access_log": true, "proxy_stream_error_log": true,
	"admin_api_uri": true, "enforce_rbac": true, "kic": true, "fips": true,
	"cluster_mtls": true, "cluster_ca_cert": true, "cluster_server_name": true,
	"cluster_data_plane_purge_delay": true, "cluster_ocsp": true, "cluster_max_payload": true,
	"cluster_use_proxy": true, "cluster_dp_labels": true, "cluster_rpc": true, "cluster_rpc_sync": true,
	"cluster_incremental_sync": true, "cluster_cjson": true, "cluster_allowed_common_names": true,
	"cluster_telemetry_listen": true, "cluster_telemetry_endpoint": true, "cluster_telemetry_server_name": true,
	"client_ssl": true, "client_ssl_cert": true, "client_ssl_cert_key": true,
	"ssl_cipher_suite": true, "ssl_ciphers": true, "ssl_protocols": true, "ssl_prefer_server_ciphers": true,
	"ssl_dhparam": true, "ssl_session_tickets": true, "ssl_session_timeout": true, "ssl_session_cache_size": true,
	"debug_ssl_cert": true, "debug_ssl_cert_key": true,
	"pg_ssl_required": true, "pg_ssl_version": true, "pg_ssl_cert": true, "pg_ssl_cert_key": true,
	"pg_semaphore_timeout": true, "pg_keepalive_timeout": true, "pg_backlog": true,
	"db_update_propagation": true, "db_cache_ttl": true, "db_cache_neg_ttl": true,
	"db_resurrect_ttl": true, "db_cache_warmup_entities": true,
	"dns_hostsfile": true, "dns_order": true, "dns_valid_ttl": true, "dns_stale_ttl": true,
	"dns_cache_size": true, "dns_not_found_ttl": true, "dns_error_ttl": true, "dns_no_sync": true,
	"legacy_dns_client": true, "router_consistency": true, "dedicated_config_processing": true,
	"privileged_worker": true, "concurrency_timeout": true, "allow_inconsistent_data_plane_plugins": true,
	"request_debug": true, "request_debug_token": true, "wasm": true, "legacy_worker_events": true,
	"openresty_path": true, "declarative_config_encryption_mode": true,
}

// Kong key namespaces gatewayd implements nothing of. None of them is a
// prefix of a gatewayd key, so a typo in a gatewayd key is still an error.
var kongOnlyPrefixes = []string{
	"nginx_", "lua_", "worker_", "pg_ro_", "admin_gui_", "portal_", "vitals_",
	"vault_", "pluginserver_", "cassandra_", "tracing_", "opentelemetry_",
	"wasm_", "error_template_", "resolver_", "untrusted_lua", "lmdb_",
	"keyring_", "konnect_", "smtp_", "audit_log", "analytics_", "event_hooks_",
}

func isKongOnlyKey(name string) bool {
	if kongOnlyKeys[name] {
		return true
	}
	for _, p := range kongOnlyPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// suggest returns the known key closest to a misspelt one, or "".
func suggest(name string) string {
	name = strings.ToLower(name)
	best, bestDist := "", 3
	for _, k := range keys {
		if d := editDistance(name, k.name); d < bestDist {
			best, bestDist = k.name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
