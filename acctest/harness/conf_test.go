package harness_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

var ports = harness.Ports{Proxy: 18000, ProxyTLS: 18443, Admin: 18001, Status: 18007}

func TestConfForDefaultsToSQLiteOnLoopback(t *testing.T) {
	kv, err := harness.ConfFor("/tmp/p", ports, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := harness.RenderConf(kv)
	if err != nil {
		t.Fatal(err)
	}
	want := `# written by acctest/harness for one test; edits are lost
admin_listen = 127.0.0.1:18001
database = sqlite
prefix = /tmp/p
proxy_listen = 127.0.0.1:18000, 127.0.0.1:18443 ssl
status_listen = 127.0.0.1:18007
`
	if string(data) != want {
		t.Fatalf("conf:\n%s\nwant:\n%s", data, want)
	}
}

func TestConfForPostgres(t *testing.T) {
	tests := []struct {
		name string
		opts harness.Options
		want map[string]string
	}{
		{
			name: "fields",
			opts: harness.Options{Database: "postgres", PGHost: "127.0.0.1", PGPort: 5433, PGUser: "gw", PGPassword: "pw", PGDatabase: "gwdb"},
			want: map[string]string{"pg_host": "127.0.0.1", "pg_port": "5433", "pg_user": "gw", "pg_password": "pw", "pg_database": "gwdb"},
		},
		{
			name: "URL DSN",
			opts: harness.Options{Database: "postgres", PGDSN: "postgres://gw:p%40ss@127.0.0.1:5544/gwdb?sslmode=disable"},
			want: map[string]string{"pg_host": "127.0.0.1", "pg_port": "5544", "pg_user": "gw", "pg_password": "p@ss", "pg_database": "gwdb"},
		},
		{
			name: "socket directory in URL DSN",
			opts: harness.Options{Database: "postgres", PGDSN: "postgresql:///gwdb?host=/tmp/pgsock&port=5999"},
			want: map[string]string{"pg_host": "/tmp/pgsock", "pg_port": "5999", "pg_database": "gwdb"},
		},
		{
			name: "key=value DSN, fields win",
			opts: harness.Options{Database: "postgres", PGUser: "explicit", PGDSN: "host=/tmp/s port=5432 user = gw password='x y' dbname=d sslmode=disable"},
			want: map[string]string{"pg_host": "/tmp/s", "pg_port": "5432", "pg_user": "explicit", "pg_password": "x y", "pg_database": "d"},
		},
		{
			name: "only what is set",
			opts: harness.Options{Database: "postgres", PGPort: 6000},
			want: map[string]string{"pg_port": "6000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv, err := harness.ConfFor("/p", ports, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if kv["database"] != "postgres" {
				t.Errorf("database = %q", kv["database"])
			}
			for k, v := range kv {
				if strings.HasPrefix(k, "pg_") && tt.want[k] == "" {
					t.Errorf("unexpected %s = %q", k, v)
				}
			}
			for k, v := range tt.want {
				if kv[k] != v {
					t.Errorf("%s = %q, want %q", k, kv[k], v)
				}
			}
		})
	}
}

func TestConfForSQLiteIgnoresPostgresFields(t *testing.T) {
	kv, err := harness.ConfFor("/p", ports, harness.Options{PGHost: "db", PGDSN: "postgres://u@h/d"})
	if err != nil {
		t.Fatal(err)
	}
	for k := range kv {
		if strings.HasPrefix(k, "pg_") {
			t.Errorf("sqlite conf has %s", k)
		}
	}
}

func TestConfForExtraOverrides(t *testing.T) {
	kv, err := harness.ConfFor("/p", ports, harness.Options{
		Database: "off",
		Extra:    map[string]string{"declarative_config": "/p/kong.yml", "status_listen": "127.0.0.1:1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if kv["database"] != "off" || kv["declarative_config"] != "/p/kong.yml" || kv["status_listen"] != "127.0.0.1:1" {
		t.Fatalf("conf %v", kv)
	}
}

func TestConfForRejects(t *testing.T) {
	for name, o := range map[string]harness.Options{
		"unknown database": {Database: "mysql"},
		"bad DSN port":     {Database: "postgres", PGDSN: "postgres://u@h:99999/d"},
		"bad DSN field":    {Database: "postgres", PGDSN: "host"},
		"unterminated DSN": {Database: "postgres", PGDSN: "password='abc"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := harness.ConfFor("/p", ports, o); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestRenderConfEscapesAndValidates(t *testing.T) {
	data, err := harness.RenderConf(map[string]string{"pg_password": "a#b", "admin_token": ""})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "pg_password = a\\#b\n") || !strings.Contains(string(data), "admin_token = \n") {
		t.Fatalf("conf:\n%s", data)
	}
	for name, kv := range map[string]map[string]string{
		"line break in value": {"pg_password": "a\nb"},
		"upper-case key":      {"Database": "sqlite"},
		"space in key":        {"pg host": "x"},
		"empty key":           {"": "x"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := harness.RenderConf(kv); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestWriteConfIsPrivateAndReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gatewayd.conf")
	in := map[string]string{"database": "sqlite", "pg_password": "s#cret", "prefix": "/x y"}
	if err := harness.WriteConf(path, in); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	out, err := readConf(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range in {
		if out[k] != v {
			t.Errorf("%s read back as %q, want %q", k, out[k], v)
		}
	}
}
