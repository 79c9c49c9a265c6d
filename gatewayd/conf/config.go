// Package conf loads gatewayd.conf.
//
// The file uses kong.conf syntax and Kong's key names and defaults, so an
// operator's kong.conf mostly carries over: `key = value` lines, `#`
// comments (`\#` for a literal #), booleans on/off/true/false and
// comma-separated lists. Every key can be overridden by an environment
// variable GATEWAYD_<UPPERCASE_KEY>; the environment wins over the file and
// the file over the defaults.
//
// One table (keys.go) declares every key: its default, kind, validation,
// whether it is secret, and its description. Parsing, defaults, validation,
// `gatewayd check` and the redacted rendering served by `GET /` all come
// from it.
package conf

import (
	"net/netip"
	"path/filepath"
	"time"
)

// Config is a loaded, validated configuration. Field comments name the key
// each field comes from; see Keys for defaults and descriptions. Paths are
// as configured; use Path and the other methods to resolve them against the
// prefix.
type Config struct {
	// File is the configuration file that was read; "" when none was.
	File string
	// Warnings are settings that were accepted but have no effect in
	// gatewayd (Kong-only keys, ignored keys) or look risky. Print them.
	Warnings []string

	Prefix          string   // prefix, always absolute
	LogLevel        string   // log_level
	ProxyAccessLog  string   // proxy_access_log ("off" = disabled)
	ProxyErrorLog   string   // proxy_error_log
	AdminAccessLog  string   // admin_access_log
	AdminErrorLog   string   // admin_error_log
	StatusAccessLog string   // status_access_log
	StatusErrorLog  string   // status_error_log
	Plugins         []string // plugins; empty when "off"

	ProxyListen   []Listener // proxy_listen; empty when "off"
	AdminListen   []Listener // admin_listen
	StatusListen  []Listener // status_listen
	ClusterListen []Listener // cluster_listen
	AdminToken    string     // admin_token; "" = no admin authentication

	Database                string        // database: DatabaseSQLite, DatabasePostgres or DatabaseOff
	SQLiteFile              string        // sqlite_path, as configured; see SQLitePath
	PGHost                  string        // pg_host
	PGPort                  int           // pg_port
	PGUser                  string        // pg_user
	PGPassword              string        // pg_password
	PGDatabase              string        // pg_database
	PGSchema                string        // pg_schema
	PGTimeout               time.Duration // pg_timeout
	PGSSL                   bool          // pg_ssl
	PGSSLVerify             bool          // pg_ssl_verify
	PGMaxConcurrentQueries  int           // pg_max_concurrent_queries; 0 = unlimited
	PGPoolSize              int           // pg_pool_size
	DeclarativeConfig       string        // declarative_config (path)
	DeclarativeConfigString string        // declarative_config_string
	DBUpdateFrequency       time.Duration // db_update_frequency

	TrustedIPs       []netip.Prefix // trusted_ips, single addresses as /32 or /128
	TrustUnix        bool           // trusted_ips contains "unix:"
	RealIPHeader     string         // real_ip_header
	RealIPRecursive  bool           // real_ip_recursive
	AllowDebugHeader bool           // allow_debug_header
	ProxyInlineIO    bool           // proxy_inline_io
	Headers          []string       // headers, canonical spelling; empty when "off"
	HeadersUpstream  []string       // headers_upstream
	ErrorDefaultType string         // error_default_type
	RouterFlavor     string         // router_flavor

	ClientMaxBodySize            int64         // client_max_body_size in bytes; 0 = unlimited
	ClientBodyBufferSize         int64         // client_body_buffer_size in bytes
	LargeClientHeaderBuffers     BufferSpec    // large_client_header_buffers
	LargeClientHeaderBytes       int           // LargeClientHeaderBuffers.Bytes(): the request line + headers limit
	ClientHeaderTimeout          time.Duration // client_header_timeout
	UpstreamKeepalivePoolSize    int           // upstream_keepalive_pool_size
	UpstreamKeepaliveMaxRequests int           // upstream_keepalive_max_requests
	UpstreamKeepaliveIdleTimeout time.Duration // upstream_keepalive_idle_timeout
	DNSResolver                  []netip.AddrPort

	// TLS material: each entry is a path, PEM text or base64 PEM; read
	// them with ReadPEM. Empty means "use the generated default"
	// (DefaultCert).
	SSLCert               []string // ssl_cert
	SSLCertKey            []string // ssl_cert_key
	AdminSSLCert          []string // admin_ssl_cert
	AdminSSLCertKey       []string // admin_ssl_cert_key
	StatusSSLCert         []string // status_ssl_cert
	StatusSSLCertKey      []string // status_ssl_cert_key
	SSLTrustedCertificate []string // ssl_trusted_certificate; "system" = the OS bundle

	Role                string // role: RoleTraditional, RoleControlPlane or RoleDataPlane
	ClusterCert         string // cluster_cert
	ClusterCertKey      string // cluster_cert_key
	ClusterControlPlane string // cluster_control_plane (host:port)

	AnonymousReports bool  // anonymous_reports (accepted, ignored)
	MemCacheSize     int64 // mem_cache_size (accepted, ignored)

	origins map[string]source
}

// Path resolves a path relative to the prefix; absolute paths are returned as is.
func (c *Config) Path(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(c.Prefix, rel)
}

// PIDFile is <prefix>/gatewayd.pid.
func (c *Config) PIDFile() string { return c.Path("gatewayd.pid") }

// LogPath resolves a *_log setting; "" means the log is off.
func (c *Config) LogPath(value string) string {
	if value == "off" || value == "" {
		return ""
	}
	return c.Path(value)
}

// ErrorLog is the resolved proxy_error_log; "" when off.
func (c *Config) ErrorLog() string { return c.LogPath(c.ProxyErrorLog) }

// AccessLog is the resolved proxy_access_log; "" when off.
func (c *Config) AccessLog() string { return c.LogPath(c.ProxyAccessLog) }

// SQLitePath is the resolved sqlite_path.
func (c *Config) SQLitePath() string { return c.Path(c.SQLiteFile) }

// DefaultCert is where gatewayd keeps the self-signed certificate it
// generates for a listener group ("proxy", "admin" or "status") whose
// *ssl_cert is empty, mirroring Kong's <prefix>/ssl/*-default.crt.
func (c *Config) DefaultCert(group string) (certFile, keyFile string) {
	name := "gatewayd-default"
	if group != "" && group != "proxy" {
		name = group + "-gatewayd-default"
	}
	return c.Path(filepath.Join("ssl", name+".crt")), c.Path(filepath.Join("ssl", name+".key"))
}

// Redacted returns every key with its effective value, secrets replaced by
// RedactedValue: the "configuration" object of `GET /`. Values are
// JSON-friendly and in Kong's units (seconds/milliseconds as numbers, sizes
// as "8k", lists and listeners as string arrays).
func (c *Config) Redacted() map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k.name] = renderValue(k, current(k.bind(c)))
	}
	return out
}

// Origin says where a key's value came from: "default", "<file>:<line>" or
// "env GATEWAYD_<KEY>". It returns "" for an unknown key.
func (c *Config) Origin(key string) string {
	if _, ok := byName[key]; !ok {
		return ""
	}
	return c.origins[key].String()
}
