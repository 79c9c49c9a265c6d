package conf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// inTempDir runs the test from an empty directory, so that errors read
// "gatewayd.conf:N" and the default prefix lands somewhere disposable, and
// stops Load from finding a real /etc/gatewayd/gatewayd.conf.
func inTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	old := DefaultPaths
	DefaultPaths = []string{filepath.Join(dir, "etc", "gatewayd.conf")}
	t.Cleanup(func() { DefaultPaths = old })
	return dir
}

// writeConf writes gatewayd.conf in the current directory and returns its name.
func writeConf(t *testing.T, content string) string {
	t.Helper()
	if err := os.WriteFile("gatewayd.conf", []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return "gatewayd.conf"
}

func mustLoad(t *testing.T, path string, environ ...string) *Config {
	t.Helper()
	c, err := Load(path, environ)
	if err != nil {
		t.Fatalf("Load(%q, %q): %v", path, environ, err)
	}
	return c
}

// loadErrors loads and returns the error lines, failing if Load succeeds.
func loadErrors(t *testing.T, path string, environ ...string) []string {
	t.Helper()
	c, err := Load(path, environ)
	if err == nil {
		t.Fatalf("Load(%q, %q) succeeded (%d warnings), want errors", path, environ, len(c.Warnings))
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load error is %T, want conf.Errors: %v", err, err)
	}
	return strings.Split(err.Error(), "\n")
}

func TestDefaultsMatchDesign(t *testing.T) {
	dir := inTempDir(t)
	c := mustLoad(t, "")

	if c.File != "" {
		t.Errorf("File = %q, want none", c.File)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none", c.Warnings)
	}
	// DESIGN.md: proxy 0.0.0.0:8000 http + 8443 https; admin 127.0.0.1:8001
	// (+ 8444 https); status 127.0.0.1:8007; cluster 8005.
	listeners := []struct {
		key  string
		got  []Listener
		want []string
		ssl  []bool
	}{
		{"proxy_listen", c.ProxyListen, []string{"0.0.0.0:8000", "0.0.0.0:8443"}, []bool{false, true}},
		{"admin_listen", c.AdminListen, []string{"127.0.0.1:8001", "127.0.0.1:8444"}, []bool{false, true}},
		{"status_listen", c.StatusListen, []string{"127.0.0.1:8007"}, []bool{false}},
		{"cluster_listen", c.ClusterListen, []string{"0.0.0.0:8005"}, []bool{false}},
	}
	for _, l := range listeners {
		var addrs []string
		var ssl []bool
		for _, ln := range l.got {
			addrs = append(addrs, ln.Addr())
			ssl = append(ssl, ln.SSL)
		}
		if !slices.Equal(addrs, l.want) || !slices.Equal(ssl, l.ssl) {
			t.Errorf("%s = %v (ssl %v), want %v (ssl %v)", l.key, addrs, ssl, l.want, l.ssl)
		}
	}
	if ln := c.ProxyListen[1]; !ln.HTTP2 || !ln.ReusePort || ln.Backlog != 16384 {
		t.Errorf("proxy https listener = %+v, want http2 reuseport backlog=16384", ln)
	}

	checks := []struct {
		name      string
		got, want any
	}{
		{"Prefix", c.Prefix, filepath.Join(dir, ".gatewayd")},
		{"LogLevel", c.LogLevel, "notice"},
		{"Database", c.Database, DatabaseSQLite},
		{"SQLitePath", c.SQLitePath(), filepath.Join(dir, ".gatewayd", "data", "gatewayd.db")},
		{"PIDFile", c.PIDFile(), filepath.Join(dir, ".gatewayd", "gatewayd.pid")},
		{"ErrorLog", c.ErrorLog(), filepath.Join(dir, ".gatewayd", "logs", "error.log")},
		{"AccessLog", c.AccessLog(), filepath.Join(dir, ".gatewayd", "logs", "access.log")},
		{"AdminToken", c.AdminToken, ""},
		{"PGHost", c.PGHost, "127.0.0.1"},
		{"PGPort", c.PGPort, 5432},
		{"PGUser", c.PGUser, "gatewayd"},
		{"PGDatabase", c.PGDatabase, "gatewayd"},
		{"PGTimeout", c.PGTimeout, 5 * time.Second},
		{"PGPoolSize", c.PGPoolSize, 10},
		{"DBUpdateFrequency", c.DBUpdateFrequency, 5 * time.Second},
		{"TrustUnix", c.TrustUnix, false},
		{"RealIPHeader", c.RealIPHeader, "X-Real-IP"},
		{"Headers", c.Headers, []string{"server_tokens", "latency_tokens", "X-Gatewayd-Request-Id"}},
		{"HeadersUpstream", c.HeadersUpstream, []string{"X-Gatewayd-Request-Id"}},
		{"Plugins", c.Plugins, []string{"bundled"}},
		{"RouterFlavor", c.RouterFlavor, "traditional_compatible"},
		{"ClientMaxBodySize", c.ClientMaxBodySize, int64(0)},
		{"ClientBodyBufferSize", c.ClientBodyBufferSize, int64(8 << 10)},
		{"LargeClientHeaderBuffers", c.LargeClientHeaderBuffers, BufferSpec{Count: 4, Size: 8 << 10}},
		{"LargeClientHeaderBytes", c.LargeClientHeaderBytes, 32 << 10},
		{"ClientHeaderTimeout", c.ClientHeaderTimeout, 60 * time.Second},
		{"UpstreamKeepalivePoolSize", c.UpstreamKeepalivePoolSize, 512},
		{"UpstreamKeepaliveMaxRequests", c.UpstreamKeepaliveMaxRequests, 10000},
		{"UpstreamKeepaliveIdleTimeout", c.UpstreamKeepaliveIdleTimeout, 60 * time.Second},
		{"ErrorDefaultType", c.ErrorDefaultType, "text/plain"},
		{"Role", c.Role, RoleTraditional},
		{"ClusterControlPlane", c.ClusterControlPlane, "127.0.0.1:8005"},
		{"SSLTrustedCertificate", c.SSLTrustedCertificate, []string{"system"}},
		{"AnonymousReports", c.AnonymousReports, false},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if c.Origin("proxy_listen") != "default" {
		t.Errorf("Origin(proxy_listen) = %q, want default", c.Origin("proxy_listen"))
	}
}

func TestDefaultIgnoresFileAndEnvironment(t *testing.T) {
	inTempDir(t)
	t.Setenv("GATEWAYD_PG_PORT", "1")
	if got := Default().PGPort; got != 5432 {
		t.Errorf("Default().PGPort = %d, want 5432", got)
	}
}

func TestFileSyntax(t *testing.T) {
	inTempDir(t)
	path := writeConf(t, "\ufeff"+`# a comment line
   # an indented comment line

log_level = debug   # trailing comment
pg_password = p\#ss#word   # an escaped # is data, the next # starts a comment
pg_user=alice
pg_database =   spaced out value  `+"\r"+`
real_ip_header = X-Forwarded-For`+"\r"+`
admin_token =
headers = server_tokens,   via  ,
trusted_ips = 10.0.0.0/8, 192.168.1.1, ::1, unix:
real_ip_recursive = ON
pg_ssl = true
pg_ssl_verify = false
`)
	c := mustLoad(t, path)
	checks := []struct {
		name      string
		got, want any
	}{
		{"log_level", c.LogLevel, "debug"},
		{"pg_password", c.PGPassword, "p#ss"},
		{"pg_user", c.PGUser, "alice"},
		{"pg_database", c.PGDatabase, "spaced out value"},
		{"real_ip_header", c.RealIPHeader, "X-Forwarded-For"},
		{"admin_token", c.AdminToken, ""},
		{"headers", c.Headers, []string{"server_tokens", "Via"}},
		{"trusted_ips", stringsOf(c.TrustedIPs), []string{"10.0.0.0/8", "192.168.1.1/32", "::1/128"}},
		{"trusted unix", c.TrustUnix, true},
		{"real_ip_recursive", c.RealIPRecursive, true},
		{"pg_ssl", c.PGSSL, true},
		{"pg_ssl_verify", c.PGSSLVerify, false},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if c.File != path {
		t.Errorf("File = %q, want %q", c.File, path)
	}
	if got := c.Origin("pg_user"); got != "gatewayd.conf:6" {
		t.Errorf("Origin(pg_user) = %q, want gatewayd.conf:6", got)
	}
}

func TestPrecedenceEnvOverFileOverDefault(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		env        []string
		wantPort   int
		wantOrigin string
	}{
		{"default when neither sets it", "", nil, 5432, "default"},
		{"file beats default", "pg_port = 6432\n", nil, 6432, "gatewayd.conf:1"},
		{"env beats default", "", []string{"GATEWAYD_PG_PORT=7432"}, 7432, "env GATEWAYD_PG_PORT"},
		{"env beats file", "pg_port = 6432\n", []string{"GATEWAYD_PG_PORT=7432"}, 7432, "env GATEWAYD_PG_PORT"},
		{"env value is trimmed", "", []string{"GATEWAYD_PG_PORT= 7432 "}, 7432, "env GATEWAYD_PG_PORT"},
		{"last env entry wins", "", []string{"GATEWAYD_PG_PORT=1", "GATEWAYD_PG_PORT=7432"}, 7432, "env GATEWAYD_PG_PORT"},
		{"later file line wins", "pg_port = 1\npg_port = 6432\n", nil, 6432, "gatewayd.conf:2"},
		{"other prefixes are not ours", "", []string{"KONG_PG_PORT=1", "XGATEWAYD_PG_PORT=2", "gatewayd_pg_port=3"}, 5432, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t)
			path := writeConf(t, tt.file)
			c := mustLoad(t, path, tt.env...)
			if c.PGPort != tt.wantPort {
				t.Errorf("PGPort = %d, want %d", c.PGPort, tt.wantPort)
			}
			if got := c.Origin("pg_port"); got != tt.wantOrigin {
				t.Errorf("Origin(pg_port) = %q, want %q", got, tt.wantOrigin)
			}
		})
	}
}

func TestEnvOverridesEveryKind(t *testing.T) {
	inTempDir(t)
	c := mustLoad(t, "",
		"GATEWAYD_PREFIX=/srv/gw",
		"GATEWAYD_ADMIN_LISTEN=[::1]:9001 ssl",
		"GATEWAYD_ADMIN_TOKEN=s3cret",
		"GATEWAYD_ALLOW_DEBUG_HEADER=on",
		"GATEWAYD_PG_TIMEOUT=250",
		"GATEWAYD_DB_UPDATE_FREQUENCY=0.5",
		"GATEWAYD_CLIENT_MAX_BODY_SIZE=10m",
		"GATEWAYD_LARGE_CLIENT_HEADER_BUFFERS=8 16k",
		"GATEWAYD_PLUGINS=off",
		"GATEWAYD_DNS_RESOLVER=8.8.8.8, [2001:db8::53]:5353",
		"GATEWAYD_DATABASE=postgres",
		"GATEWAYD_SQLITE_PATH=/var/lib/gw.db",
		"GATEWAYD_PROXY_ACCESS_LOG=off",
		"GATEWAYD_PROXY_ERROR_LOG=/dev/stderr",
	)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Prefix", c.Prefix, "/srv/gw"},
		{"AdminListen", c.AdminListen, []Listener{{Host: "::1", Port: 9001, SSL: true}}},
		{"AdminToken", c.AdminToken, "s3cret"},
		{"AllowDebugHeader", c.AllowDebugHeader, true},
		{"PGTimeout", c.PGTimeout, 250 * time.Millisecond},
		{"DBUpdateFrequency", c.DBUpdateFrequency, 500 * time.Millisecond},
		{"ClientMaxBodySize", c.ClientMaxBodySize, int64(10 << 20)},
		{"LargeClientHeaderBytes", c.LargeClientHeaderBytes, 8 * 16 << 10},
		{"Plugins", c.Plugins, []string{}},
		{"DNSResolver", stringsOf(c.DNSResolver), []string{"8.8.8.8:53", "[2001:db8::53]:5353"}},
		{"Database", c.Database, DatabasePostgres},
		{"SQLitePath", c.SQLitePath(), "/var/lib/gw.db"},
		{"PIDFile", c.PIDFile(), "/srv/gw/gatewayd.pid"},
		{"AccessLog", c.AccessLog(), ""},
		{"ErrorLog", c.ErrorLog(), "/dev/stderr"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadWithoutPathUsesFirstExistingDefaultPath(t *testing.T) {
	dir := inTempDir(t)
	etc := filepath.Join(dir, "etc", "gatewayd.conf")
	DefaultPaths = []string{filepath.Join(dir, "missing.conf"), etc}
	if err := os.MkdirAll(filepath.Dir(etc), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(etc, []byte("log_level = warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, "")
	if c.File != etc || c.LogLevel != "warn" {
		t.Errorf("File = %q, LogLevel = %q; want %q, warn", c.File, c.LogLevel, etc)
	}
}

func TestLoadMissingFileIsAnError(t *testing.T) {
	inTempDir(t)
	got := loadErrors(t, "nope.conf")
	want := []string{"nope.conf: cannot read configuration file: no such file or directory"}
	if !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

func TestPrefixIsMadeAbsoluteAgainstTheWorkingDirectory(t *testing.T) {
	dir := inTempDir(t)
	c := mustLoad(t, writeConf(t, "prefix = run/gw\n"))
	if want := filepath.Join(dir, "run", "gw"); c.Prefix != want {
		t.Errorf("Prefix = %q, want %q", c.Prefix, want)
	}
	if got, want := c.Path("logs/x.log"), filepath.Join(dir, "run", "gw", "logs", "x.log"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got := c.Path("/abs/x"); got != "/abs/x" {
		t.Errorf("Path(/abs/x) = %q, want it unchanged", got)
	}
}

// TestErrorsNameTheirOrigin covers every kind of error, from the file and
// from the environment, with the exact text `gatewayd check` prints.
func TestErrorsNameTheirOrigin(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		want string
	}{
		{"line without equals sign", "proxy_listen\n", nil,
			`gatewayd.conf:1: syntax error: expected "key = value", got "proxy_listen"`},
		{"line without key", "log_level = info\n = x\n", nil,
			`gatewayd.conf:2: syntax error: missing key before "="`},
		{"key with a space", "proxy listen = x\n", nil,
			`gatewayd.conf:1: syntax error: invalid key "proxy listen"`},
		{"unknown key with a suggestion", "\n\nprox_listen = off\n", nil,
			`gatewayd.conf:3: prox_listen: unknown key (did you mean proxy_listen?)`},
		{"unknown key without a suggestion", "frobnicate = 1\n", nil,
			`gatewayd.conf:1: frobnicate: unknown key`},
		{"uppercase key", "LOG_LEVEL = info\n", nil,
			`gatewayd.conf:1: LOG_LEVEL: unknown key (did you mean log_level?)`},
		{"listen: bad port", "\n\n\n\n\n\n\n\n\n\n\nproxy_listen = 0.0.0.0:80x0\n", nil,
			`gatewayd.conf:12: proxy_listen: invalid port "80x0"`},
		{"listen: bad port from env", "", []string{"GATEWAYD_PROXY_LISTEN=0.0.0.0:80x0"},
			`env GATEWAYD_PROXY_LISTEN: invalid port "80x0"`},
		{"listen: empty", "admin_listen =\n", nil,
			`gatewayd.conf:1: admin_listen: no address given; ` + listenUsage},
		{"boolean", "pg_ssl = yes\n", nil,
			`gatewayd.conf:1: pg_ssl: invalid boolean "yes" (expected on, off, true or false)`},
		{"boolean from env", "", []string{"GATEWAYD_PG_SSL=yes"},
			`env GATEWAYD_PG_SSL: invalid boolean "yes" (expected on, off, true or false)`},
		{"integer", "pg_pool_size = ten\n", nil,
			`gatewayd.conf:1: pg_pool_size: invalid integer "ten"`},
		{"integer below minimum", "upstream_keepalive_pool_size = -1\n", nil,
			`gatewayd.conf:1: upstream_keepalive_pool_size: must be 0 or greater, got -1`},
		{"port out of range", "pg_port = 70000\n", nil,
			`gatewayd.conf:1: pg_port: must be between 1 and 65535, got 70000`},
		{"port out of range from env", "", []string{"GATEWAYD_PG_PORT=0"},
			`env GATEWAYD_PG_PORT: must be between 1 and 65535, got 0`},
		{"seconds", "db_update_frequency = soon\n", nil,
			`gatewayd.conf:1: db_update_frequency: invalid duration "soon" (expected a number of seconds, e.g. 60)`},
		{"seconds must be positive", "client_header_timeout = 0\n", nil,
			`gatewayd.conf:1: client_header_timeout: must be greater than 0`},
		{"milliseconds negative", "pg_timeout = -5s\n", nil,
			`gatewayd.conf:1: pg_timeout: must not be negative, got "-5s"`},
		{"size", "client_max_body_size = 10 MB\n", nil,
			`gatewayd.conf:1: client_max_body_size: invalid size "10 MB" (expected bytes with an optional k, m or g suffix, e.g. 8k)`},
		{"buffers", "large_client_header_buffers = 8k\n", nil,
			`gatewayd.conf:1: large_client_header_buffers: invalid buffers "8k" (expected number and size, e.g. 4 8k)`},
		{"enum", "database = cassandra\n", nil,
			`gatewayd.conf:1: database: invalid value "cassandra" (expected one of: sqlite, postgres, off)`},
		{"enum is case-sensitive like Kong", "role = Traditional\n", nil,
			`gatewayd.conf:1: role: invalid value "Traditional" (expected one of: traditional, control_plane, data_plane)`},
		{"list entry not allowed", "headers = server_tokens, X-Kong-Request-Id\n", nil,
			`gatewayd.conf:1: headers: invalid entry "X-Kong-Request-Id" (expected ` + strings.Join(headerChoices, ", ") + `)`},
		{"env values keep their #", "", []string{"GATEWAYD_HEADERS_UPSTREAM=X-Gatewayd-Request-Id # note"},
			`env GATEWAYD_HEADERS_UPSTREAM: invalid entry "X-Gatewayd-Request-Id # note" (expected X-Gatewayd-Request-Id)`},
		{"off mixed into a list", "headers = off, via\n", nil,
			`gatewayd.conf:1: headers: "off" cannot be combined with other entries`},
		{"cidr list", "trusted_ips = 10.0.0.0/33\n", nil,
			`gatewayd.conf:1: trusted_ips: invalid entry "10.0.0.0/33" (expected an IPv4 or IPv6 address, a CIDR block, or unix:)`},
		{"address list", "dns_resolver = dns.google\n", nil,
			`gatewayd.conf:1: dns_resolver: invalid entry "dns.google" (expected an IPv4 or IPv6 address, optionally with :port)`},
		{"host:port", "cluster_control_plane = cp.example.com\n", nil,
			`gatewayd.conf:1: cluster_control_plane: invalid address "cp.example.com" (expected host:port)`},
		{"required value empty", "pg_host =\n", nil,
			`gatewayd.conf:1: pg_host: must not be empty`},
		{"certificate file missing", "ssl_cert = /nonexistent/cert.pem\nssl_cert_key = /nonexistent/key.pem\n", nil,
			"gatewayd.conf:1: ssl_cert: failed loading \"/nonexistent/cert.pem\": no such file, and not PEM or base64-encoded PEM\n" +
				"gatewayd.conf:2: ssl_cert_key: no such file, and not PEM or base64-encoded PEM"},
		{"error through a Kong alias names the alias", "nginx_http_client_max_body_size = huge\n", nil,
			`gatewayd.conf:1: nginx_http_client_max_body_size: invalid size "huge" (expected bytes with an optional k, m or g suffix, e.g. 8k)`},
		{"error through a Kong alias from env", "", []string{"GATEWAYD_LUA_SSL_TRUSTED_CERTIFICATE=/nonexistent/ca.pem"},
			`env GATEWAYD_LUA_SSL_TRUSTED_CERTIFICATE: failed loading "/nonexistent/ca.pem": no such file, and not PEM or base64-encoded PEM`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t)
			got := loadErrors(t, writeConf(t, tt.file), tt.env...)
			if want := strings.Split(tt.want, "\n"); !slices.Equal(got, want) {
				t.Errorf("errors:\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	inTempDir(t)
	const secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"
	got := loadErrors(t, "", "GATEWAYD_SSL_CERT_KEY="+secret, "GATEWAYD_SSL_CERT=/nonexistent")
	for _, line := range got {
		if strings.Contains(line, secret) {
			t.Errorf("error %q leaks the secret value", line)
		}
	}
}

func TestAllErrorsAreReportedTogetherInReadingOrder(t *testing.T) {
	inTempDir(t)
	path := writeConf(t, `log_level = loud
proxy_listen = 0.0.0.0:80x0
typo_key = 1
pg_port = 0
role = data_plane
`)
	got := loadErrors(t, path, "GATEWAYD_PG_SSL=maybe", "GATEWAYD_ADMIN_LISTEN=nowhere")
	want := []string{
		`gatewayd.conf:1: log_level: invalid value "loud" (expected one of: debug, info, notice, warn, error, crit, alert, emerg)`,
		`gatewayd.conf:2: proxy_listen: invalid port "80x0"`,
		`gatewayd.conf:3: typo_key: unknown key`,
		`gatewayd.conf:4: pg_port: must be between 1 and 65535, got 0`,
		`gatewayd.conf:5: role: only in-memory storage can be used when role = "data_plane"; hint: set database = off`,
		`gatewayd.conf:5: role: cluster certificate and key must be provided to use Hybrid mode`,
		`env GATEWAYD_ADMIN_LISTEN: missing port in address "nowhere"; ` + listenUsage,
		`env GATEWAYD_PG_SSL: invalid boolean "maybe" (expected on, off, true or false)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	if err := Check(path, nil); err == nil || !strings.Contains(err.Error(), "typo_key") {
		t.Errorf("Check = %v, want the same errors", err)
	}
}

func TestCheckAcceptsAValidFile(t *testing.T) {
	inTempDir(t)
	if err := Check(writeConf(t, "log_level = info\n"), []string{"GATEWAYD_PG_PORT=5433"}); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestKongOnlyKeysWarnButUnknownKeysFail(t *testing.T) {
	inTempDir(t)
	c := mustLoad(t, writeConf(t, `nginx_worker_processes = 4
lua_socket_pool_size = 30
mem_cache_size = 256m
anonymous_reports = on
pg_ro_host = replica
dns_order = LAST,A
`), "GATEWAYD_WORKER_CONSISTENCY=eventual", "GATEWAYD_BINARY=/usr/bin/gatewayd")
	want := []string{
		"gatewayd.conf:1: nginx_worker_processes: Kong setting not supported by gatewayd; ignored",
		"gatewayd.conf:2: lua_socket_pool_size: Kong setting not supported by gatewayd; ignored",
		"gatewayd.conf:3: mem_cache_size: accepted for Kong compatibility; has no effect in gatewayd",
		"gatewayd.conf:4: anonymous_reports: accepted for Kong compatibility; has no effect in gatewayd",
		"gatewayd.conf:5: pg_ro_host: Kong setting not supported by gatewayd; ignored",
		"gatewayd.conf:6: dns_order: Kong setting not supported by gatewayd; ignored",
		"env GATEWAYD_BINARY: not a gatewayd setting; ignored",
		"env GATEWAYD_WORKER_CONSISTENCY: Kong setting not supported by gatewayd; ignored",
	}
	if !slices.Equal(c.Warnings, want) {
		t.Errorf("Warnings:\n got %q\nwant %q", c.Warnings, want)
	}
	if c.MemCacheSize != 256<<20 || !c.AnonymousReports {
		t.Errorf("ignored keys still parse: MemCacheSize = %d, AnonymousReports = %v", c.MemCacheSize, c.AnonymousReports)
	}

	// A typo in one of gatewayd's own keys stays an error even when it
	// shares a prefix with Kong-only keys.
	got := loadErrors(t, writeConf(t, "pg_pasword = x\n"))
	if want := []string{"gatewayd.conf:1: pg_pasword: unknown key (did you mean pg_password?)"}; !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

func TestKongAliasesSetGatewaydKeys(t *testing.T) {
	inTempDir(t)
	c := mustLoad(t, writeConf(t, `nginx_http_client_max_body_size = 1m
nginx_proxy_real_ip_header = proxy_protocol
nginx_http_large_client_header_buffers = 2 1k
nginx_proxy_real_ip_recursive = on
`))
	if c.ClientMaxBodySize != 1<<20 || c.RealIPHeader != "proxy_protocol" || c.LargeClientHeaderBytes != 2048 || !c.RealIPRecursive {
		t.Errorf("aliases not applied: %d %q %d %v", c.ClientMaxBodySize, c.RealIPHeader, c.LargeClientHeaderBytes, c.RealIPRecursive)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none", c.Warnings)
	}
	if got := c.Origin("client_max_body_size"); got != "gatewayd.conf:1" {
		t.Errorf("Origin = %q, want gatewayd.conf:1", got)
	}
}

func TestOwnNameBeatsKongAliasAndDuplicatesWarn(t *testing.T) {
	inTempDir(t)
	c := mustLoad(t, writeConf(t, `client_max_body_size = 2m
nginx_http_client_max_body_size = 1m
log_level = info
log_level = debug
`), "GATEWAYD_NGINX_HTTP_CLIENT_BODY_BUFFER_SIZE=1k", "GATEWAYD_CLIENT_BODY_BUFFER_SIZE=2k")
	if c.ClientMaxBodySize != 2<<20 {
		t.Errorf("ClientMaxBodySize = %d, want 2m from the key's own name", c.ClientMaxBodySize)
	}
	if c.ClientBodyBufferSize != 2<<10 {
		t.Errorf("ClientBodyBufferSize = %d, want 2k from the key's own name", c.ClientBodyBufferSize)
	}
	if c.LogLevel != "debug" {
		t.Errorf("LogLevel = %q, want the later line's debug", c.LogLevel)
	}
	want := []string{
		"gatewayd.conf:2: nginx_http_client_max_body_size: ignored: client_max_body_size is also set (gatewayd.conf:1)",
		"gatewayd.conf:4: log_level: overrides the value set at gatewayd.conf:3",
		"env GATEWAYD_NGINX_HTTP_CLIENT_BODY_BUFFER_SIZE: ignored: client_body_buffer_size is also set (env GATEWAYD_CLIENT_BODY_BUFFER_SIZE)",
	}
	if !slices.Equal(c.Warnings, want) {
		t.Errorf("Warnings:\n got %q\nwant %q", c.Warnings, want)
	}
}

// FuzzFileSyntax feeds arbitrary files through the reader and every key's
// parser: nothing may panic, and every problem must name its line.
func FuzzFileSyntax(f *testing.F) {
	for _, seed := range []string{
		"proxy_listen = 0.0.0.0:8000 ssl # comment\n",
		"pg_password = a\\#b#c\r\nheaders = via,\n",
		"\ufeff# only a comment\n\n = x\nfoo\nnginx_http_client_max_body_size = 1m\n",
		"trusted_ips = unix:, ::/0\nlarge_client_header_buffers = 4 8k\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := &loader{failed: map[string]bool{}}
		layer := l.layer(l.parseFile("f.conf", data))
		for _, e := range l.errs {
			if e.File != "f.conf" || e.Line < 1 {
				t.Fatalf("error without a location: %+v", e)
			}
		}
		for name, s := range layer {
			k := byName[name]
			if k == nil {
				t.Fatalf("layer holds unknown key %q", name)
			}
			if s.src.line < 1 {
				t.Fatalf("setting %s without a line", name)
			}
			if v, err := parseValue(k, s.raw); err == nil {
				renderValue(k, v)
			}
		}
	})
}
