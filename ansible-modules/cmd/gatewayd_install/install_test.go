package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

func TestConfRendersSortedEscapedAndReadsBack(t *testing.T) {
	kv := map[string]string{"prefix": "/p", "admin_token": "a#b", "proxy_listen": "0.0.0.0:8000, 0.0.0.0:8443 ssl"}
	text, err := renderConf(kv)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimPrefix(text, confHeader)
	if want := "admin_token = a\\#b\nprefix = /p\nproxy_listen = 0.0.0.0:8000, 0.0.0.0:8443 ssl\n"; body != want {
		t.Fatalf("rendered:\n%s\nwant:\n%s", body, want)
	}
	back := parseConf(text + "log_level = debug # a comment\n")
	if back["admin_token"] != "a#b" || back["log_level"] != "debug" || back["proxy_listen"] != kv["proxy_listen"] {
		t.Fatalf("parsed back: %v", back)
	}
}

func TestConfRejectsBadKeysAndLineBreaks(t *testing.T) {
	for _, kv := range []map[string]string{{"Bad-Key": "x"}, {"ok": "two\nlines"}} {
		if _, err := renderConf(kv); err == nil {
			t.Errorf("renderConf(%v) accepted", kv)
		}
	}
}

func TestConfValuesAreWrittenAsGatewaydSpellsThem(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{{true, "on"}, {false, "off"}, {[]any{"10.0.0.0/8", "::1"}, "10.0.0.0/8, ::1"}, {8001, "8001"}, {0.5, "0.5"}, {"x", "x"}} {
		if got := confValue(c.in); got != c.want {
			t.Errorf("confValue(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDiffOfTheConfigurationMasksSecretsButShowsTheyChange(t *testing.T) {
	old := map[string]string{"admin_token": "t1", "pg_password": "p", "log_level": "info"}
	cur := map[string]string{"admin_token": "t2", "pg_password": "p", "log_level": "debug"}
	before, after := confView(old, cur), confView(cur, old)
	if before["admin_token"] != api.Masked+" (changed)" || after["admin_token"] != api.Masked+" (changed)" {
		t.Fatalf("a changed token: %v / %v", before, after)
	}
	if after["pg_password"] != api.Masked || after["log_level"] != "debug" {
		t.Fatalf("after = %v", after)
	}
}

func TestListenURLIsReachableFromTheSameHost(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8007":                    "http://127.0.0.1:8007",
		"0.0.0.0:8000 reuseport, [::]:8000": "http://127.0.0.1:8000",
		"0.0.0.0:8443 ssl http2":            "https://127.0.0.1:8443",
		"[::]:8001":                         "http://[::1]:8001",
		"":                                  "http://127.0.0.1:9",
		"off":                               "http://127.0.0.1:9",
	} {
		if got := listenURL(in, "127.0.0.1:9"); got != want {
			t.Errorf("listenURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnitRunsGatewaydInTheForegroundWithItsConfig(t *testing.T) {
	u := unitFile("/usr/local/bin/gatewayd", "/etc/gatewayd/gatewayd.conf", "gatewayd")
	for _, want := range []string{"ExecStart=/usr/local/bin/gatewayd start -c /etc/gatewayd/gatewayd.conf\n", "User=gatewayd\n",
		"ExecReload=/bin/kill -HUP $MAINPID\n", "Restart=on-failure\n", "WantedBy=multi-user.target\n"} {
		if !strings.Contains(u, want) {
			t.Errorf("unit lacks %q:\n%s", want, u)
		}
	}
	if strings.Contains(unitFile("/b", "/c", ""), "User=") {
		t.Error("no user: no User= line (root)")
	}
}

func TestPidFileNamesALiveProcessOrNot(t *testing.T) {
	dir := t.TempDir()
	pid := filepath.Join(dir, "gatewayd.pid")
	if pidAlive(pid) {
		t.Fatal("a missing pid file is not a running gatewayd")
	}
	if err := os.WriteFile(pid, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !pidAlive(pid) {
		t.Fatal("our own pid is alive")
	}
	if err := os.WriteFile(pid, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if pidAlive(pid) {
		t.Fatal("garbage is not a pid")
	}
}

func TestInstallFileReplacesAtomicallyWithTheMode(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "sub", "bin", "gatewayd")
	if err := os.WriteFile(src, []byte("v1"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := installFile(src, dst, 0o755); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("installed: %v %v", fi, err)
	}
	a, _ := sha256File(src)
	b, _ := sha256File(dst)
	if a != b || a == "" {
		t.Fatalf("checksums %s %s", a, b)
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}
