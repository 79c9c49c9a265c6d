package mapr

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The provider stays thin: every node operation goes through the mapr
// library, which the Ansible modules share, so the two cannot drift apart.
func TestTerraformMaprProviderImportsOnlyTheLibrary(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	main, _ := filepath.Glob("../cmd/terraform-provider-mapr/*.go")
	for _, f := range append(files, main...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, "github.com/gatewayd-toolkit/gatewayd/") &&
				p != "github.com/gatewayd-toolkit/gatewayd/mapr" &&
				p != "github.com/gatewayd-toolkit/gatewayd/provider/mapr" {
				t.Errorf("%s imports %s: the provider may use only the mapr library", f, p)
			}
		}
	}
}
