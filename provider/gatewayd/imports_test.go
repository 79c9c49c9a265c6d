package gatewayd

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The provider reaches the gateway only through the public client: no
// entity, schema or plugin package of the daemon, so it keeps working
// against whatever serves the Admin API (gatewayd or Kong).
func TestProviderImportsOnlyTheAPIClient(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	main, _ := filepath.Glob("../cmd/terraform-provider-gatewayd/*.go")
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
				p != "github.com/gatewayd-toolkit/gatewayd/gatewayd/api" &&
				p != "github.com/gatewayd-toolkit/gatewayd/provider/gatewayd" {
				t.Errorf("%s imports %s: the provider may use only gatewayd/api", f, p)
			}
		}
	}
}
