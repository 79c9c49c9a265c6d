package conf

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestRedactedHidesSecretsAndShowsTheRest(t *testing.T) {
	inTempDir(t)
	writePEMFiles(t)
	secrets := map[string]string{
		"GATEWAYD_ADMIN_TOKEN":               "admin-s3cret",
		"GATEWAYD_PG_PASSWORD":               "pg-s3cret",
		"GATEWAYD_SSL_CERT_KEY":              "key.pem",
		"GATEWAYD_ADMIN_SSL_CERT_KEY":        "key.pem",
		"GATEWAYD_CLUSTER_CERT_KEY":          "key.pem",
		"GATEWAYD_DECLARATIVE_CONFIG_STRING": "_format_version: '3.0' # s3cret",
	}
	env := []string{
		"GATEWAYD_SSL_CERT=cert.pem",
		"GATEWAYD_ADMIN_SSL_CERT=cert.pem",
		"GATEWAYD_CLUSTER_CERT=cert.pem",
		"GATEWAYD_DATABASE=off",
	}
	for k, v := range secrets {
		env = append(env, k+"="+v)
	}
	c := mustLoad(t, "", env...)
	r := c.Redacted()

	for _, k := range []string{"admin_token", "pg_password", "ssl_cert_key", "admin_ssl_cert_key", "cluster_cert_key", "declarative_config_string"} {
		if r[k] != RedactedValue {
			t.Errorf("Redacted()[%s] = %#v, want %q", k, r[k], RedactedValue)
		}
	}
	// An unset secret stays visibly unset: that admin_token is empty is
	// information an operator needs, not a secret.
	if r["status_ssl_cert_key"] == RedactedValue {
		t.Errorf("unset status_ssl_cert_key rendered as redacted")
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret") {
		t.Errorf("Redacted() leaks a secret: %s", out)
	}

	want := map[string]any{
		"database":                    "off",
		"pg_port":                     5432,
		"pg_timeout":                  int64(5000),
		"db_update_frequency":         int64(5),
		"pg_ssl":                      false,
		"client_body_buffer_size":     "8k",
		"large_client_header_buffers": "4 8k",
		"ssl_cert":                    []string{"cert.pem"},
		"proxy_listen":                []string{"0.0.0.0:8000 reuseport backlog=16384", "0.0.0.0:8443 ssl http2 reuseport backlog=16384"},
		"trusted_ips":                 []string{},
		"prefix":                      c.Prefix,
	}
	for k, v := range want {
		if !reflect.DeepEqual(r[k], v) {
			t.Errorf("Redacted()[%s] = %#v, want %#v", k, r[k], v)
		}
	}
	if len(r) != len(keys) {
		t.Errorf("Redacted() has %d keys, want all %d", len(r), len(keys))
	}
}

func TestRedactedReflectsLaterChanges(t *testing.T) {
	c := Default()
	c.TrustedIPs, c.TrustUnix = nil, true
	c.ProxyListen = []Listener{{Host: "::1", Port: 1, SSL: true}}
	r := c.Redacted()
	if got := r["trusted_ips"]; !reflect.DeepEqual(got, []string{"unix:"}) {
		t.Errorf("trusted_ips = %#v, want [unix:]", got)
	}
	if got := r["proxy_listen"]; !reflect.DeepEqual(got, []string{"[::1]:1 ssl"}) {
		t.Errorf("proxy_listen = %#v, want [[::1]:1 ssl]", got)
	}
}

func TestDefaultCertLivesUnderThePrefix(t *testing.T) {
	c := &Config{Prefix: "/p"}
	tests := []struct{ group, cert, key string }{
		{"proxy", "/p/ssl/gatewayd-default.crt", "/p/ssl/gatewayd-default.key"},
		{"admin", "/p/ssl/admin-gatewayd-default.crt", "/p/ssl/admin-gatewayd-default.key"},
		{"status", "/p/ssl/status-gatewayd-default.crt", "/p/ssl/status-gatewayd-default.key"},
	}
	for _, tt := range tests {
		if cert, key := c.DefaultCert(tt.group); cert != tt.cert || key != tt.key {
			t.Errorf("DefaultCert(%q) = %q, %q; want %q, %q", tt.group, cert, key, tt.cert, tt.key)
		}
	}
}

func TestLogPathOffDisablesTheLog(t *testing.T) {
	c := &Config{Prefix: "/p"}
	for value, want := range map[string]string{"off": "", "": "", "logs/a.log": "/p/logs/a.log", "/dev/stdout": "/dev/stdout"} {
		if got := c.LogPath(value); got != want {
			t.Errorf("LogPath(%q) = %q, want %q", value, got, want)
		}
	}
}

func TestReadPEMAcceptsPathInlineAndBase64(t *testing.T) {
	dir := t.TempDir()
	pem := "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	file := filepath.Join(dir, "c.pem")
	if err := os.WriteFile(file, []byte(pem), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{
		"path":       file,
		"inline":     pem,
		"base64":     base64.StdEncoding.EncodeToString([]byte(pem)),
		"raw base64": base64.RawStdEncoding.EncodeToString([]byte(pem)),
	} {
		got, err := ReadPEM(value)
		if err != nil || string(got) != pem {
			t.Errorf("ReadPEM(%s) = %q, %v; want the PEM", name, got, err)
		}
	}
	if _, err := ReadPEM(filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("ReadPEM(missing file) succeeded")
	}
}

// TestKeyTableIsConsistent guards the table every other behaviour hangs off.
func TestKeyTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k.name] {
			t.Errorf("key %s declared twice", k.name)
		}
		seen[k.name] = true
		if k.desc == "" {
			t.Errorf("key %s has no description", k.name)
		}
		if k.bind == nil {
			t.Errorf("key %s binds to no field", k.name)
		}
		if isKongOnlyKey(k.name) {
			t.Errorf("key %s is also listed as Kong-only; its typos would only warn", k.name)
		}
		if k.kind == KindEnum && !slices.Contains(k.choices, k.def) {
			t.Errorf("key %s default %q is not one of its choices", k.name, k.def)
		}
		if _, err := parseValue(k, k.def); err != nil {
			t.Errorf("key %s default %q does not parse: %v", k.name, k.def, err)
		}
	}
	for alias, k := range byAlias {
		if seen[alias] {
			t.Errorf("alias %s of %s is also a key", alias, k.name)
		}
	}
	if got := Keys(); len(got) != len(keys) || got[0].Name != "prefix" || got[0].Kind.String() != "path" {
		t.Errorf("Keys() = %d entries starting %+v", len(got), got[0])
	}
}

// TestEveryConfigFieldIsBoundToOneKey makes sure a field added to Config
// is also added to the table (or is one of the few derived fields).
func TestEveryConfigFieldIsBoundToOneKey(t *testing.T) {
	var c Config
	bound := map[uintptr]string{}
	for _, k := range keys {
		var ptrs []any
		switch d := k.bind(&c).(type) {
		case cidrDst:
			ptrs = []any{d.prefixes, d.unix}
		default:
			ptrs = []any{d}
		}
		for _, p := range ptrs {
			addr := reflect.ValueOf(p).Pointer()
			if other, dup := bound[addr]; dup {
				t.Errorf("keys %s and %s bind the same field", other, k.name)
			}
			bound[addr] = k.name
		}
	}
	derived := map[string]bool{"File": true, "Warnings": true, "LargeClientHeaderBytes": true}
	rv := reflect.ValueOf(&c).Elem()
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if !f.IsExported() || derived[f.Name] {
			continue
		}
		if _, ok := bound[rv.Field(i).Addr().Pointer()]; !ok {
			t.Errorf("Config.%s is not bound to any key", f.Name)
		}
	}
}
