package conf

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// writePEMFiles creates placeholder certificate and key files in the
// current directory; validation checks that they exist, not what they hold.
func writePEMFiles(t *testing.T) {
	t.Helper()
	for name, block := range map[string]string{"cert.pem": "CERTIFICATE", "key.pem": "PRIVATE KEY"} {
		data := "-----BEGIN " + block + "-----\nAAAA\n-----END " + block + "-----\n"
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCrossKeyRules(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		want []string // nil: loads fine
	}{
		{
			name: "declarative_config needs DB-less mode",
			file: "declarative_config = kong.yml\n",
			want: []string{`gatewayd.conf:1: declarative_config: can only be used when database = "off" (database is "sqlite")`},
		},
		{
			name: "declarative_config_string needs DB-less mode",
			env:  []string{"GATEWAYD_DATABASE=postgres", "GATEWAYD_DECLARATIVE_CONFIG_STRING={}"},
			want: []string{`env GATEWAYD_DECLARATIVE_CONFIG_STRING: can only be used when database = "off" (database is "postgres")`},
		},
		{
			name: "DB-less mode with declarative_config",
			file: "database = off\ndeclarative_config = kong.yml\n",
		},
		{
			name: "data plane needs database off",
			file: "role = data_plane\ncluster_cert = cert.pem\ncluster_cert_key = key.pem\n",
			want: []string{`gatewayd.conf:1: role: only in-memory storage can be used when role = "data_plane"; hint: set database = off`},
		},
		{
			name: "data plane with database off",
			file: "role = data_plane\ndatabase = off\ncluster_cert = cert.pem\ncluster_cert_key = key.pem\n",
		},
		{
			name: "data plane needs a proxy and a control plane",
			file: "role = data_plane\ndatabase = off\ncluster_cert = cert.pem\ncluster_cert_key = key.pem\nproxy_listen = off\ncluster_control_plane =\n",
			want: []string{
				`gatewayd.conf:5: proxy_listen: must be specified when role = "data_plane"`,
				`gatewayd.conf:6: cluster_control_plane: must be specified when role = "data_plane"`,
			},
		},
		{
			name: "control plane cannot be DB-less",
			file: "database = off\nrole = control_plane\ncluster_cert = cert.pem\ncluster_cert_key = key.pem\n",
			want: []string{`gatewayd.conf:2: role: in-memory storage can not be used when role = "control_plane"`},
		},
		{
			name: "control plane needs admin and cluster listeners",
			file: "role = control_plane\ncluster_cert = cert.pem\ncluster_cert_key = key.pem\nadmin_listen = off\ncluster_listen = off\n",
			want: []string{
				`gatewayd.conf:4: admin_listen: must be specified when role = "control_plane"`,
				`gatewayd.conf:5: cluster_listen: must be specified when role = "control_plane"`,
			},
		},
		{
			name: "hybrid mode needs the cluster certificate and key",
			file: "role = control_plane\n",
			want: []string{`gatewayd.conf:1: role: cluster certificate and key must be provided to use Hybrid mode`},
		},
		{
			name: "certificate without key",
			file: "ssl_cert = cert.pem\n",
			want: []string{`gatewayd.conf:1: ssl_cert: ssl_cert_key must be specified`},
		},
		{
			name: "key without certificate",
			env:  []string{"GATEWAYD_ADMIN_SSL_CERT_KEY=key.pem"},
			want: []string{`env GATEWAYD_ADMIN_SSL_CERT_KEY: admin_ssl_cert must be specified`},
		},
		{
			name: "certificates and keys in different numbers",
			file: "status_ssl_cert = cert.pem, cert.pem\nstatus_ssl_cert_key = key.pem\n",
			want: []string{`gatewayd.conf:1: status_ssl_cert: status_ssl_cert was specified 2 times while status_ssl_cert_key was specified 1 times`},
		},
		{
			name: "cluster certificate without key outside hybrid mode",
			file: "cluster_cert = cert.pem\n",
			want: []string{`gatewayd.conf:1: cluster_cert: cluster_cert_key must be specified`},
		},
		{
			name: "certificates and keys in pairs",
			file: "ssl_cert = cert.pem\nssl_cert_key = key.pem\nadmin_ssl_cert = cert.pem\nadmin_ssl_cert_key = key.pem\n",
		},
		{
			name: "same address in proxy and admin listeners",
			file: "admin_listen = 0.0.0.0:8000\n",
			want: []string{`gatewayd.conf:1: admin_listen: address 0.0.0.0:8000 is already used by proxy_listen`},
		},
		{
			name: "address overlapping a wildcard",
			file: "status_listen = 127.0.0.1:8443\n",
			want: []string{`gatewayd.conf:1: status_listen: address 127.0.0.1:8443 overlaps 0.0.0.0:8443 used by proxy_listen`},
		},
		{
			name: "same address twice in one listener",
			env:  []string{"GATEWAYD_STATUS_LISTEN=127.0.0.1:9000, 127.0.0.1:9000 ssl"},
			want: []string{`env GATEWAYD_STATUS_LISTEN: address 127.0.0.1:9000 is already used by status_listen`},
		},
		{
			name: "IPv4 and IPv6 wildcards on one port",
			file: "proxy_listen = 0.0.0.0:8000, [::]:8000\n",
		},
		{
			name: "cluster_listen is not started outside control planes",
			file: "cluster_listen = 0.0.0.0:8000\n",
		},
		{
			name: "cluster_listen conflicts on a control plane",
			file: "role = control_plane\ncluster_cert = cert.pem\ncluster_cert_key = key.pem\ncluster_listen = 127.0.0.1:8001\n",
			want: []string{`gatewayd.conf:4: cluster_listen: address 127.0.0.1:8001 is already used by admin_listen`},
		},
		{
			name: "a key that failed to parse does not cascade",
			file: "role = data_plan\n",
			want: []string{`gatewayd.conf:1: role: invalid value "data_plan" (expected one of: traditional, control_plane, data_plane)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t)
			writePEMFiles(t)
			path := writeConf(t, tt.file)
			if tt.want == nil {
				mustLoad(t, path, tt.env...)
				return
			}
			if got := loadErrors(t, path, tt.env...); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestOpenAdminAPIWarns(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		wantWarn string // "" = no warning
	}{
		{"loopback default", nil, ""},
		{"public without token", []string{"GATEWAYD_ADMIN_LISTEN=0.0.0.0:8001"},
			"env GATEWAYD_ADMIN_LISTEN: the Admin API listens on 0.0.0.0:8001 without admin_token: anyone who can reach it can change the configuration"},
		{"public with token", []string{"GATEWAYD_ADMIN_LISTEN=0.0.0.0:8001", "GATEWAYD_ADMIN_TOKEN=t"}, ""},
		{"localhost name", []string{"GATEWAYD_ADMIN_LISTEN=localhost:8001, [::1]:8002"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t)
			c := mustLoad(t, "", tt.env...)
			got := strings.Join(c.Warnings, "\n")
			if got != tt.wantWarn {
				t.Errorf("Warnings = %q, want %q", got, tt.wantWarn)
			}
		})
	}
}
