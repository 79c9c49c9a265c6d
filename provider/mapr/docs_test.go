package mapr

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

// TestTerraformMaprDocsAreCurrent regenerates the mapr provider's pages
// (provider/docs.sh: tfplugindocs from the schema descriptions,
// provider/mapr/templates and examples/terraform/mapr) into a temporary
// directory and compares them with the checked-in docs/terraform/mapr.
// (provider/gatewayd's TestDocsAreCurrent compares the whole docs/terraform,
// these pages included.)
func TestTerraformMaprDocsAreCurrent(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("needs terraform and tfplugindocs, like the acceptance tests: set TF_ACC=1")
	}
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
	gen.Env = append(os.Environ(), "TFPLUGINDOCS="+filepath.Join(root, "bin", "tools", "tfplugindocs"), "DOCS_PROVIDERS=mapr")
	if o, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("provider/docs.sh: %v\n%s", err, o)
	}
	want := readTree(t, filepath.Join(out, "mapr"))
	got := readTree(t, filepath.Join(root, "docs", "terraform", "mapr"))
	for _, page := range []string{"index.md", "resources/license.md", "resources/cluster.md"} {
		if _, ok := want[page]; !ok {
			t.Errorf("docs.sh did not generate mapr/%s", page)
		}
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("docs/terraform/mapr/%s is missing", name)
		case !bytes.Equal(g, w):
			t.Errorf("docs/terraform/mapr/%s is out of date", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/terraform/mapr/%s is not generated any more", name)
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
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
