// Package simtest installs maprsim, the MapR test double, into temporary
// roots for tests: it builds the simulator once per test binary and lays out
// ROOT/opt/mapr/{bin/maprcli,server/configure.sh,initscripts/mapr-warden,conf}.
package simtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds `go build` of the simulator on a busy two-core machine.
const buildTimeout = 5 * time.Minute

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// Node is one simulated MapR installation.
type Node struct {
	Root        string // the fake filesystem root
	Home        string // Root/opt/mapr (MAPR_HOME)
	Maprcli     string
	ConfigureSh string
	Warden      string // the mapr-warden initscript
	ConfDir     string
}

// Install builds maprsim (once) and installs it under a new temp root.
func Install(t testing.TB) *Node {
	t.Helper()
	bin := Binary(t)
	root := t.TempDir()
	if out, err := exec.Command(bin, "install", root).CombinedOutput(); err != nil {
		t.Fatalf("simtest: maprsim install: %v\n%s", err, out)
	}
	home := filepath.Join(root, "opt", "mapr")
	return &Node{Root: root, Home: home, ConfDir: filepath.Join(home, "conf"),
		Maprcli:     filepath.Join(home, "bin", "maprcli"),
		ConfigureSh: filepath.Join(home, "server", "configure.sh"),
		Warden:      filepath.Join(home, "initscripts", "mapr-warden")}
}

// Binary returns the path of the maprsim binary, building it on first use.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() { build.dir, build.bin, build.err = buildSim() })
	if build.err != nil {
		t.Fatalf("simtest: building maprsim: %v", build.err)
	}
	return build.bin
}

func buildSim() (string, string, error) {
	dir, err := os.MkdirTemp("", "maprsim-bin-")
	if err != nil {
		return "", "", err
	}
	bin := filepath.Join(dir, "maprsim")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/gatewayd-toolkit/gatewayd/mapr/maprsim")
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return dir, bin, nil
}

// RunMain runs the tests, then removes the simulator binary. Use it from
// TestMain: os.Exit(simtest.RunMain(m)).
func RunMain(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	return code
}

// Calls returns the argv of every simulated tool invocation so far.
func (n *Node) Calls(t testing.TB) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(n.Home, ".maprsim", "calls.log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec struct{ Argv []string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("simtest: calls.log: %v", err)
		}
		calls = append(calls, rec.Argv)
	}
	return calls
}

// CallsMatching returns the invocations whose argv, joined by spaces,
// contains s.
func (n *Node) CallsMatching(t testing.TB, s string) [][]string {
	t.Helper()
	var out [][]string
	for _, c := range n.Calls(t) {
		if strings.Contains(strings.Join(c, " "), s) {
			out = append(out, c)
		}
	}
	return out
}

// ReadConf returns a file of the conf directory, "" when missing.
func (n *Node) ReadConf(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.ConfDir, name))
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// WardenRunning reports the simulated warden state.
func (n *Node) WardenRunning(t testing.TB) bool {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(n.Home, ".maprsim", "warden"))
	return strings.TrimSpace(string(b)) == "running"
}

// License returns a realistic signed MapR license text bound to clusterID.
func License(clusterID, description string) string {
	return fmt.Sprintf(`-----BEGIN SIGNED MESSAGE-----
version: "4.0"
customerid: "acctest"
issuer: "MapR Technologies, Inc."
licType: M5Trial
description: "%s"
clusterid: "%s"
issuedate: "2026-11-01"
expirationdate: "2027-11-01"
enforcement: HARD
capabilities {
  feature: NFS_HA
  feature: MIRRORING
  feature: SNAPSHOT
}
-----BEGIN SIGNATURE-----
QUNDVEVTVC1TSUdOQVRVUkUtTk9ULVJFQUwtc2ltdWxhdGVkLWZvci10ZXN0cw==
-----END SIGNATURE-----
`, description, clusterID)
}
