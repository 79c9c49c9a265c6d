package maprnode

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
)

type exited struct{}

// newModule builds a module from args; it fails the test if the arguments
// themselves are refused.
func newModule(t *testing.T, args map[string]any) (*module.Module, *bytes.Buffer) {
	t.Helper()
	data, _ := json.Marshal(args)
	file := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var m *module.Module
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("arguments refused: %s", out.String())
			}
		}()
		m = module.NewFrom(module.Spec{Options: Options(), SupportsCheckMode: true}, []string{"probe", file}, &out,
			func(int) { panic(exited{}) })
	}()
	return m, &out
}

// exitOf runs Exit and returns the printed result.
func exitOf(t *testing.T, m *module.Module, out *bytes.Buffer, r module.Result) string {
	t.Helper()
	func() {
		defer func() { _ = recover() }()
		m.Exit(r)
	}()
	return out.String()
}

func TestSSHOptionsWithoutHostAreRefused(t *testing.T) {
	m, _ := newModule(t, map[string]any{"user": "mapr", "known_hosts_file": "/kh"})
	err := Validate(m)
	if err == nil || !strings.Contains(err.Error(), "user, known_hosts_file only apply with host") {
		t.Fatalf("err = %v", err)
	}
	m, _ = newModule(t, map[string]any{"sudo": true, "sudo_user": "mapr", "timeout": 5})
	if err := Validate(m); err != nil {
		t.Fatalf("local options refused: %v", err)
	}
}

func TestConflictingOptionsAreRefused(t *testing.T) {
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"host": "h", "insecure_ignore_host_key": true, "known_hosts_file": "/kh"}, "mutually exclusive"},
		{map[string]any{"sudo_user": "mapr"}, "sudo_user needs sudo"},
		{map[string]any{"host": "h", "port": 70000}, "port 70000"},
		{map[string]any{"timeout": 0}, "timeout must be a positive"},
	} {
		m, _ := newModule(t, c.args)
		if err := Validate(m); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
}

func TestLocalExecutorWithoutHost(t *testing.T) {
	m, _ := newModule(t, map[string]any{})
	n, err := Connect(t.Context(), m)
	if err != nil || n.Via != "local" || n.Where != "local" {
		t.Fatalf("%+v %v", n, err)
	}
}

func TestLibraryWarningsBecomeModuleWarnings(t *testing.T) {
	m, out := newModule(t, map[string]any{})
	log := slog.New(&warnings{m: m, mu: &sync.Mutex{}})
	log.Info("not a warning")
	log.With("host", "127.0.0.1:22").Warn("SSH HOST KEY VERIFICATION IS DISABLED", "fingerprint", "SHA256:abc")
	var res struct{ Warnings []string }
	if err := json.Unmarshal([]byte(exitOf(t, m, out, module.Result{})), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || res.Warnings[0] != "SSH HOST KEY VERIFICATION IS DISABLED (fingerprint=SHA256:abc, host=127.0.0.1:22)" {
		t.Fatalf("warnings = %q", res.Warnings)
	}
}

func TestSecretTextIsMaskedWholeTrimmedAndByLine(t *testing.T) {
	m, out := newModule(t, map[string]any{})
	text := "-----BEGIN SIGNED MESSAGE-----\nshort: x\nQUNDVEVTVC1TSUdOQVRVUkUtTk9ULVJFQUw=\n-----END-----\n"
	RegisterSecretText(m, text)
	printed := exitOf(t, m, out, module.Result{"a": text, "b": strings.TrimSpace(text),
		"c": "maprcli said: QUNDVEVTVC1TSUdOQVRVUkUtTk9ULVJFQUw= is bad", "d": "short: x"})
	for _, secret := range []string{"BEGIN SIGNED MESSAGE", "QUNDVEVTVC1TSUdOQVRVUkUtTk9ULVJFQUw="} {
		if strings.Contains(printed, secret) {
			t.Fatalf("%q printed: %s", secret, printed)
		}
	}
	if !strings.Contains(printed, `"d":"short: x"`) {
		t.Fatalf("a short line was masked on its own: %s", printed)
	}
}
