package harness_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

func TestFreePortsAreDistinctAndBindable(t *testing.T) {
	ps := harness.FreePorts(t, 16)
	seen := map[int]bool{}
	for _, p := range ps {
		if p <= 0 || p > 65535 || seen[p] {
			t.Fatalf("bad or repeated port %d in %v", p, ps)
		}
		seen[p] = true
	}
	p := harness.FreePort(t)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		t.Fatalf("FreePort %d cannot be bound: %v", p, err)
	}
	ln.Close()
}

func TestRepoRootHoldsTheModule(t *testing.T) {
	root := harness.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "module github.com/gatewayd-toolkit/gatewayd\n") {
		t.Fatalf("%s/go.mod is not gatewayd's", root)
	}
}

func TestBuildGatewaydHonoursEnvOverride(t *testing.T) {
	t.Setenv(harness.BinEnv, os.Args[0])
	got := harness.BuildGatewayd(t)
	want, _ := filepath.Abs(os.Args[0])
	if got != want {
		t.Fatalf("BuildGatewayd = %q, want %q", got, want)
	}

	notExec := filepath.Join(t.TempDir(), "gatewayd")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(harness.BinEnv, notExec)
	r := runTB(t, func(tb testing.TB) { harness.BuildGatewayd(tb) })
	if !strings.Contains(r.fatal, "not an executable") {
		t.Fatalf("fatal = %q", r.fatal)
	}
}
