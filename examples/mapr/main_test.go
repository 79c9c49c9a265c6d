package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

func TestMain(m *testing.M) { os.Exit(simtest.RunMain(m)) }

// TestBootstrapExampleAgainstMaprsim runs the example as the README shows:
// bootstrap, license for the printed id, then a rerun that changes nothing.
func TestBootstrapExampleAgainstMaprsim(t *testing.T) {
	if testing.Short() {
		t.Skip("acceptance test: starts sshd")
	}
	s := sshd.Start(t)
	n := simtest.Install(t)
	base := []string{"-host", s.Host, "-port", strconv.Itoa(s.Port), "-user", s.User, "-key", s.ClientKey,
		"-known-hosts", s.KnownHosts, "-mapr-home", n.Home, "-cluster", "example.cluster", "-cldb", "node1", "-zk", "node1"}
	example := func(extra ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var out bytes.Buffer
		if err := run(ctx, append(append([]string(nil), base...), extra...), &out); err != nil {
			t.Fatalf("example %v: %v\n%s", extra, err, out.String())
		}
		return out.String()
	}

	out := example()
	m := regexp.MustCompile(`cluster: changed=true id=([0-9]{19})\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("first run did not configure the cluster:\n%s", out)
	}
	license := filepath.Join(t.TempDir(), "license.txt")
	if err := os.WriteFile(license, []byte(simtest.License(m[1], "example license")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := example("-license", license, "-check"); !strings.Contains(out, "license: changed=true") ||
		len(n.CallsMatching(t, "license add")) != 0 {
		t.Fatalf("check run:\n%s", out)
	}
	if out := example("-license", license); !strings.Contains(out, "cluster: changed=false id="+m[1]) ||
		!strings.Contains(out, "license: changed=true") {
		t.Fatalf("license run:\n%s", out)
	}
	if out := example("-license", license); !strings.Contains(out, "cluster: changed=false") ||
		!strings.Contains(out, "license: changed=false") {
		t.Fatalf("rerun changed something:\n%s", out)
	}
}
