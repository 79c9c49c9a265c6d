package gatewayd

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

// TestDocsAreCurrent regenerates the provider documentation (make docs:
// tfplugindocs from the schema descriptions and examples/terraform) into a
// temporary directory and compares it with the checked-in docs/terraform.
func TestDocsAreCurrent(t *testing.T) {
	skipWithoutAcc(t) // needs terraform and tfplugindocs, like the acceptance tests
	t.Parallel()
	root := harness.RepoRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// The same tfplugindocs build `make docs` uses.
	mk := exec.CommandContext(ctx, "make", "--no-print-directory", "bin/tools/tfplugindocs")
	mk.Dir = root
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("installing tfplugindocs: %v\n%s", err, out)
	}
	out := filepath.Join(t.TempDir(), "docs")
	gen := exec.CommandContext(ctx, "bash", "provider/docs.sh", out)
	gen.Dir = root
	gen.Env = append(os.Environ(), "TFPLUGINDOCS="+filepath.Join(root, "bin", "tools", "tfplugindocs"))
	if o, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("provider/docs.sh: %v\n%s", err, o)
	}
	want := readTree(t, out)
	got := readTree(t, filepath.Join(root, "docs", "terraform"))
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("docs/terraform/%s is missing", name)
		case !bytes.Equal(g, w):
			t.Errorf("docs/terraform/%s is out of date", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/terraform/%s is not generated any more", name)
		}
	}
	if t.Failed() {
		t.Log("run `make docs` and check in docs/terraform")
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
