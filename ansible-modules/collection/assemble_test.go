package collection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEveryModuleGetsItsDocumentationBesideIt(t *testing.T) {
	docs, mods := t.TempDir(), t.TempDir()
	touch(t, filepath.Join(docs, "gateway_a.yml"))
	touch(t, filepath.Join(mods, "gateway_a"))
	got, err := pairDocs(docs, mods)
	if err != nil || len(got) != 1 || got[0].Name != "gateway_a" {
		t.Fatalf("pairDocs = %v, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(mods, "gateway_a.yml")); err != nil {
		t.Fatal("the documentation was not copied beside the binary")
	}
}

func TestAModuleWithoutDocumentationOrADocWithoutModuleFails(t *testing.T) {
	docs, mods := t.TempDir(), t.TempDir()
	touch(t, filepath.Join(mods, "undocumented"))
	touch(t, filepath.Join(docs, "orphan.yml"))
	_, err := pairDocs(docs, mods)
	if err == nil || !strings.Contains(err.Error(), "module undocumented has no documentation") ||
		!strings.Contains(err.Error(), "orphan.yml has no module") {
		t.Fatalf("pairDocs error = %v", err)
	}
}

func TestOnlyAmd64AndArm64AreBuilt(t *testing.T) {
	if _, err := Assemble(Options{Root: t.TempDir(), Out: t.TempDir(), GOARCH: "386"}); err == nil {
		t.Fatal("GOARCH=386 accepted")
	}
}
