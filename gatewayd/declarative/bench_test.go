package declarative

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// scaleConfig is n services, each with one route and one plugin.
func scaleConfig(n int) string {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- name: svc-%d\n  url: http://10.0.%d.%d:8080/p%d\n  routes:\n  - name: r-%d\n    paths: [/api/%d]\n"+
			"  plugins:\n  - name: request-termination\n    config: {status_code: %d}\n", i, i/250, i%250, i, i, i, 200+i%50)
	}
	return b.String()
}

// memoryNode is a nodeState holding what a gatewayd that loaded f would
// list, and the local schemas as its /schemas would render them: the
// diff engine runs on it without any HTTP.
func memoryNode(tb testing.TB, f *File, empty bool) *nodeState {
	tb.Helper()
	reg := testRegistry(tb)
	n := &nodeState{docs: map[string][]api.Entity{}, byID: map[string]map[string]api.Entity{}, unsupported: map[string]bool{},
		schemas: map[string]*api.Schema{}, pluginSchemas: map[string]*api.Schema{}, external: map[string]api.Entity{}}
	for _, e := range reg.All() {
		n.schemas[e.Name] = api.ParseSchema(e.Describe())
	}
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range cat.Names() {
		d, _ := cat.Describe(name)
		n.pluginSchemas[name] = mergePluginSchema(n.schemas["plugins"], api.ParseSchema(d))
	}
	if !empty {
		r := mustResolve(tb, f)
		for kind, docs := range r.Docs {
			m := map[string]api.Entity{}
			for _, d := range docs {
				n.docs[kind] = append(n.docs[kind], d)
				m[d["id"].(string)] = d
			}
			n.byID[kind] = m
		}
	}
	return n
}

func planOnce(tb testing.TB, f *File, n *nodeState) *planner {
	reg := testRegistry(tb)
	kinds := syncKinds(func(name string) bool { return reg.Get(name) != nil })
	p := newPlanner(context.Background(), reg, f, n, kinds, SyncOptions{Registry: reg})
	if err := p.plan(); err != nil {
		tb.Fatal(err)
	}
	if err := p.errs.errorsOrNil(); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestDiffOfAnUnchangedLargeConfigurationIsEmpty(t *testing.T) {
	f := mustParse(t, scaleConfig(300), ParseOptions{})
	if p := planOnce(t, f, memoryNode(t, f, false)); len(p.changes) != 0 || p.unchanged != 900 {
		t.Fatalf("%d changes, %d unchanged", len(p.changes), p.unchanged)
	}
	if p := planOnce(t, f, memoryNode(t, f, true)); len(p.changes) != 900 {
		t.Fatalf("into an empty node: %d changes", len(p.changes))
	}
}

// BenchmarkDiff times the diff engine (matching, default filling and
// comparison of every entity) on 5,000 services + 5,000 routes + 5,000
// plugins, against a node holding the same configuration (re-sync: no
// changes) and an empty one (all creates). Reading the node over HTTP is
// not included.
func BenchmarkDiff(b *testing.B) {
	f := mustParse(b, scaleConfig(5000), ParseOptions{})
	for _, tc := range []struct {
		name  string
		empty bool
	}{{"entities=15000/unchanged", false}, {"entities=15000/all-new", true}} {
		n := memoryNode(b, f, tc.empty)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				planOnce(b, f, n)
			}
		})
	}
}

// BenchmarkParseAndValidate times reading and validating the same file.
func BenchmarkParseAndValidate(b *testing.B) {
	src := scaleConfig(5000)
	reg := testRegistry(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := Parse(reg, []Source{{Name: "scale.yaml", Data: []byte(src)}}, ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Resolve(reg, ResolveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
