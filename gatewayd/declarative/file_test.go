package declarative

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bundled" // the plugins files refer to
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func testRegistry(t testing.TB) *schema.Registry {
	t.Helper()
	reg, err := Registry([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func parse(t testing.TB, src string, opts ParseOptions) (*File, error) {
	t.Helper()
	return Parse(testRegistry(t), []Source{{Name: "kong.yaml", Data: []byte(src)}}, opts)
}

func mustParse(t testing.TB, src string, opts ParseOptions) *File {
	t.Helper()
	f, err := parse(t, src, opts)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func mustResolve(t testing.TB, f *File) *Resolved {
	t.Helper()
	r, err := f.Resolve(testRegistry(t), ResolveOptions{})
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	return r
}

// byName indexes resolved docs of a kind by a field.
func byName(r *Resolved, kind, field string) map[string]schema.Doc {
	out := map[string]schema.Doc{}
	for _, d := range r.Docs[kind] {
		out[refText(d[field])] = d
	}
	return out
}

func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestNestedAndFlatFormsDescribeTheSameEntities(t *testing.T) {
	nested := `_format_version: "3.0"
services:
- name: svc1
  host: example.com
  routes:
  - name: r1
    paths: [/a]
    plugins:
    - name: key-auth
  plugins:
  - name: cors
consumers:
- username: bob
  keyauth_credentials:
  - key: k1
`
	flat := `_format_version: "3.0"
services:
- name: svc1
  host: example.com
routes:
- name: r1
  service: svc1
  paths: [/a]
plugins:
- name: key-auth
  route: r1
- name: cors
  service: svc1
consumers:
- username: bob
keyauth_credentials:
- key: k1
  consumer: bob
`
	a, b := mustResolve(t, mustParse(t, nested, ParseOptions{})), mustResolve(t, mustParse(t, flat, ParseOptions{}))
	// Kong keys plugins by their cache key with the reference as written
	// ("r1") when flat and the parent's id when nested, so their ids
	// differ between the two forms; every entity with an endpoint key
	// gets the same id either way.
	if len(a.Docs["plugins"]) != 2 || len(b.Docs["plugins"]) != 2 {
		t.Fatalf("plugins: %d nested, %d flat", len(a.Docs["plugins"]), len(b.Docs["plugins"]))
	}
	for _, kind := range []string{"services", "routes", "consumers", "keyauth_credentials"} {
		ida, idb := ids(a.Docs[kind]), ids(b.Docs[kind])
		if !sameStrings(ida, idb) || len(ida) == 0 {
			t.Errorf("%s: nested ids %v, flat ids %v", kind, ida, idb)
		}
	}
	if p := byName(b, "plugins", "name")["key-auth"]; p["route"].(map[string]any)["id"] != byName(b, "routes", "name")["r1"]["id"] {
		t.Fatalf("flat plugin reference not resolved: %v", p["route"])
	}
	route := byName(b, "routes", "name")["r1"]
	if route["service"].(map[string]any)["id"] != byName(b, "services", "name")["svc1"]["id"] {
		t.Fatalf("flat reference not resolved: %v", route["service"])
	}
}

func ids(docs []schema.Doc) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d["id"].(string))
	}
	return out
}

// The expected ids were computed independently (Python's uuid.uuid5) from
// Kong's rule: uuid5(uuid5(fd02801f-..., entity), key).
func TestDeterministicIDsFollowKongsRule(t *testing.T) {
	f := mustParse(t, `_format_version: "3.0"
services:
- name: svc1
  host: example.com
  routes:
  - name: r1
    paths: [/a]
  plugins:
  - name: rate-limiting
    config: {minute: 5}
upstreams:
- name: up1
  targets:
  - target: 10.0.0.1
consumers:
- username: bob
`, ParseOptions{})
	r := mustResolve(t, f)
	for _, tc := range []struct {
		kind, field, key, want string
	}{
		{"services", "name", "svc1", "2254ba65-245b-5b72-a0b8-7341d45f5e77"},
		{"routes", "name", "r1", "4726a05a-d550-537e-9fc3-a07c7a1188c7"},
		{"plugins", "name", "rate-limiting", "48fe5156-f4bf-5ae7-a652-ce70f9d8e92e"},
		{"upstreams", "name", "up1", "85b92587-e1f9-522f-9495-6e2d3b1f379e"},
		{"targets", "target", "10.0.0.1:8000", "e0201215-b069-5615-9450-475ea186d67e"},
		{"consumers", "username", "bob", "def4f7d3-9863-5ad2-8fa9-c949bf26f55e"},
	} {
		if got := byName(r, tc.kind, tc.field)[tc.key]["id"]; got != tc.want {
			t.Errorf("%s %s: id %v, want %s", tc.kind, tc.key, got, tc.want)
		}
	}
	// A flat target is keyed by its upstream reference as written.
	flat := mustResolve(t, mustParse(t, `_format_version: "3.0"
upstreams:
- name: up1
targets:
- target: 10.0.0.1
  upstream: up1
`, ParseOptions{}))
	if got := flat.Docs["targets"][0]["id"]; got != "8661e83e-1365-5d5e-90b7-f9dabb60fa8c" {
		t.Errorf("flat target id %v", got)
	}
}

func TestIDsAreStableAcrossParsesAndKeylessEntitiesGetContentIDs(t *testing.T) {
	src := `_format_version: "3.0"
services:
- name: svc1
  host: example.com
  routes:
  - paths: [/a]
  - paths: [/b]
  - paths: [/a]
`
	a, b := mustResolve(t, mustParse(t, src, ParseOptions{})), mustResolve(t, mustParse(t, src, ParseOptions{}))
	if !reflect.DeepEqual(ids(a.Docs["routes"]), ids(b.Docs["routes"])) {
		t.Fatalf("ids changed between loads: %v vs %v", ids(a.Docs["routes"]), ids(b.Docs["routes"]))
	}
	got := ids(a.Docs["routes"])
	if got[0] == got[2] || got[0] == got[1] {
		t.Fatalf("identical nameless routes must still get distinct ids: %v", got)
	}
}

func TestYAMLAndJSONOfTheSameConfigurationHashAlike(t *testing.T) {
	yamlSrc := "_format_version: \"3.0\"\nservices:\n- name: s\n  host: h\n  port: 8080\n"
	jsonSrc := `{"_format_version": "3.0", "services": [{"host": "h", "name": "s", "port": 8080}]}`
	tabbed := "{\n\t\"_format_version\": \"3.0\",\n\t\"services\": [{\"host\": \"h\", \"name\": \"s\", \"port\": 8080}]\n}"
	a := mustParse(t, yamlSrc, ParseOptions{})
	for _, src := range []string{jsonSrc, tabbed} {
		b := mustParse(t, src, ParseOptions{})
		if a.Hash != b.Hash || len(a.Hash) != 32 {
			t.Errorf("hash %s vs %s for %q", a.Hash, b.Hash, src)
		}
	}
	c := mustParse(t, strings.Replace(yamlSrc, "8080", "8081", 1), ParseOptions{})
	if c.Hash == a.Hash {
		t.Fatal("a different configuration must hash differently")
	}
}

func TestEnvironmentSubstitution(t *testing.T) {
	src := `_format_version: "3.0"
consumers:
- username: bob
  keyauth_credentials:
  - key: ${{ env "DECK_BOB_KEY" }}
services:
- name: s
  host: ${{ env "GATEWAYD_UPSTREAM_HOST" }}
  port: ${{ env "DECK_PORT" }}
  path: '/v1/${{ env "DECK_VERSION" }}'
`
	env := envOf(map[string]string{"DECK_BOB_KEY": "s3cret", "GATEWAYD_UPSTREAM_HOST": "api.internal",
		"DECK_PORT": "8443", "DECK_VERSION": "9"})
	for _, tc := range []struct {
		name    string
		src     string
		env     func(string) (string, bool)
		wantErr string
		check   func(t *testing.T, f *File)
	}{
		{name: "values are substituted and plain scalars typed", src: src, env: env, check: func(t *testing.T, f *File) {
			r := mustResolve(t, f)
			svc := r.Docs["services"][0]
			if svc["host"] != "api.internal" || svc["port"] != 8443.0 || svc["path"] != "/v1/9" {
				t.Fatalf("service %v", svc)
			}
			if r.Docs["keyauth_credentials"][0]["key"] != "s3cret" {
				t.Fatalf("key %v", r.Docs["keyauth_credentials"][0]["key"])
			}
			var cred *Entity
			for _, e := range f.Entities {
				if e.Kind == "keyauth_credentials" {
					cred = e
				}
			}
			if !cred.IsSecret("key") || !f.IsMasked("s3cret") {
				t.Fatal("substituted values must be marked for masking")
			}
		}},
		{name: "a missing variable is named with its line", src: src,
			env:     envOf(map[string]string{"DECK_BOB_KEY": "x", "GATEWAYD_UPSTREAM_HOST": "h", "DECK_VERSION": "1"}),
			wantErr: `kong.yaml:9: environment variable "DECK_PORT" is not set`},
		{name: "variables without DECK_ or GATEWAYD_ are refused", src: strings.Replace(src, "DECK_PORT", "HOME", 1), env: env,
			wantErr: `kong.yaml:9: environment variable "HOME": only variables prefixed DECK_ or GATEWAYD_ can be read`},
		{name: "substitution can be disabled", src: src, env: nil,
			wantErr: `substitution is not available here`},
		{name: "other template expressions are refused", src: strings.Replace(src, `env "DECK_PORT"`, `exec "rm"`, 1), env: env,
			wantErr: `kong.yaml:9: unsupported template expression`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(t, tc.src, ParseOptions{Env: tc.env})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, f)
		})
	}
}

func TestFileLevelErrorsNameFileLineAndField(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"missing format version", "services: []\n", "kong.yaml:1: _format_version: required field missing"},
		{"unknown format version", "_format_version: \"4.0\"\n", "kong.yaml:1: _format_version: expected one of: 1.1, 2.1, 3.0"},
		{"unquoted format version", "_format_version: 3.0\n", `expected a string (write it quoted: "3.0")`},
		{"unknown top-level key", "_format_version: \"3.0\"\n\nservice:\n- name: x\n", "kong.yaml:3: service: unknown field"},
		{"collection that is not a list", "_format_version: \"3.0\"\nservices: {name: x}\n", "kong.yaml:2: services: expected an array"},
		{"record that is not a map", "_format_version: \"3.0\"\nservices:\n- just-a-name\n", "kong.yaml:3: services[0]: expected a record"},
		{"YAML syntax", "_format_version: \"3.0\"\nservices:\n  - name: [oops\n", "kong.yaml:"},
		{"duplicate key", "_format_version: \"3.0\"\nservices:\n- name: a\n  name: b\n  host: h\n", `kong.yaml:4: duplicate key "name"`},
		{"workspaces", "_format_version: \"3.0\"\n_workspace: team\n", "_workspace: workspaces are a Kong Enterprise feature"},
		{"nested parent reference", "_format_version: \"3.0\"\nservices:\n- name: s\n  host: h\n  routes:\n  - paths: [/a]\n    service: other\n",
			"kong.yaml:7: services[0].routes[0] (services.s.routes[0]): service: value must be null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.src, ParseOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant it to contain %q", err, tc.want)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %T", err)
			}
		})
	}
}

func TestEntityErrorsNameLinePathsAndField(t *testing.T) {
	f := mustParse(t, `_format_version: "3.0"
services:
- name: svc1
  host: example.com
  routes:
  - name: r1
    paths: [/ok]
  - name: r2
    strip_path: "yes"
    paths:
    - /fine
    - no-slash
- name: svc1
  host: other.example.com
routes:
- name: r3
  service: nope
  paths: [/x]
plugins:
- name: rate-limiting
  service: svc1
  config:
    minute: many
`, ParseOptions{})
	_, err := f.Resolve(testRegistry(t), ResolveOptions{})
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want Errors, got %v", err)
	}
	want := []string{
		"kong.yaml:9: services[0].routes[1] (services.svc1.routes.r2): strip_path: expected a boolean",
		"kong.yaml:12: services[0].routes[1] (services.svc1.routes.r2): paths[1]: should start with: / (fixed path) or ~/ (regex path)",
		"kong.yaml:13: services[1] (services.svc1): uniqueness violation: 'services' entity with name set to 'svc1' already declared (first declared at kong.yaml:3 (services[0]))",
		"kong.yaml:17: routes[0] (routes.r3): service: invalid reference 'service: nope' (no such entry in 'services')",
		"kong.yaml:23: plugins[0] (plugins.rate-limiting): config.minute: expected a number",
	}
	got := strings.Split(err.Error(), "\n  ")[1:]
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestKongErrorTreesMirrorTheInput(t *testing.T) {
	f := mustParse(t, `_format_version: "3.0"
services:
- name: ok
  host: h
- name: bad
  host: h
  port: x
  routes:
  - paths: [nope]
`, ParseOptions{})
	_, err := f.Resolve(testRegistry(t), ResolveOptions{})
	var errs Errors
	errors.As(err, &errs)
	got := string(canonicalJSON(errs.KongFields()))
	want := `{"services":[null,{"port":"expected an integer","routes":[{"paths":["should start with: / (fixed path) or ~/ (regex path)"]}]}]}`
	if got != want {
		t.Fatalf("fields\n got %s\nwant %s", got, want)
	}
	flat := errs.Flattened()
	if len(flat) != 2 || flat[0].(map[string]any)["entity_type"] != "service" || flat[0].(map[string]any)["entity_name"] != "bad" {
		t.Fatalf("flattened %v", flat)
	}
}

func TestUniquenessViolationsUseKongsMessages(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"endpoint key", "services:\n- {name: a, host: h}\n- {name: a, host: h}\n",
			"uniqueness violation: 'services' entity with name set to 'a' already declared"},
		{"other unique field", "consumers:\n- {username: a, custom_id: c}\n- {username: b, custom_id: c}\n",
			"uniqueness violation: 'consumers' entity with custom_id set to 'c' already declared"},
		{"primary key", "services:\n- {id: 6b3f40e2-4f7e-4b4e-9f43-5a8d28a3e0b1, host: h}\n- {id: 6b3f40e2-4f7e-4b4e-9f43-5a8d28a3e0b1, host: i}\n",
			"uniqueness violation: 'services' entity with primary key set to '6b3f40e2-4f7e-4b4e-9f43-5a8d28a3e0b1' already declared"},
		{"cache key", "plugins:\n- {name: cors}\n- {name: cors}\n",
			"uniqueness violation: 'plugins' entity with the same name, route, service, consumer already declared"},
		{"target within its upstream", "upstreams:\n- name: u\n  targets:\n  - target: a:80\n  - target: a:80\n",
			"uniqueness violation: 'targets' entity with target set to 'a:80' already declared"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, "_format_version: \"3.0\"\n"+tc.src, ParseOptions{})
			_, err := f.Resolve(testRegistry(t), ResolveOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFormat11RoutePathsAreMigratedToThree(t *testing.T) {
	f := mustParse(t, `_format_version: "1.1"
services:
- name: s
  host: h
  routes:
  - name: r
    paths: [/plain, /v1/(\d+)/x, /a%2Db/%7Euser, /files/foo.txt]
`, ParseOptions{})
	r := mustResolve(t, f)
	got := r.Docs["routes"][0]["paths"]
	want := []any{"/plain", `~/v1/(\d+)/x`, "/a-b/~user", "/files/foo.txt"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paths %v, want %v", got, want)
	}
	if MigratePath("/users/%2e%2A(x)") != `~/users/\.%2A(x)` {
		t.Fatalf("regex escapes: %q", MigratePath("/users/%2e%2A(x)"))
	}
}

func TestCommentsIgnoredKeysAnchorsAndSNINames(t *testing.T) {
	_, err := parse(t, "_format_version: \"3.0\"\nx-defaults: 1\n", ParseOptions{})
	if err == nil {
		t.Fatal("unknown top-level keys are refused: anchors belong under _ignore")
	}
	f := mustParse(t, `_format_version: "3.0"
_ignore:
- &defaults
  host: example.com
  retries: 2
services:
- <<: *defaults
  name: s
  _comment: the public API
  _ignore: [old]
  retries: 3
`, ParseOptions{})
	svc := mustResolve(t, f).Docs["services"][0]
	if svc["host"] != "example.com" || svc["retries"] != 3.0 {
		t.Fatalf("merge keys: %v", svc)
	}
	if _, ok := f.Entities[0].Fields["_comment"]; ok {
		t.Fatal("_comment must not reach the entity")
	}
	snis := mustParse(t, `_format_version: "3.0"
certificates:
- cert: c
  key: k
  snis: [a.example.com, {name: b.example.com}]
`, ParseOptions{})
	var names []string
	for _, e := range snis.Entities {
		if e.Kind == "snis" {
			names = append(names, e.Fields["name"].(string))
		}
	}
	if !reflect.DeepEqual(names, []string{"a.example.com", "b.example.com"}) {
		t.Fatalf("snis %v", names)
	}
}

func TestSelectTagsComeFromInfoOrTheCommandLineButMustAgree(t *testing.T) {
	withInfo := "_format_version: \"3.0\"\n_info:\n  select_tags: [team-a]\n"
	if f := mustParse(t, withInfo, ParseOptions{}); !reflect.DeepEqual(f.SelectTags, []string{"team-a"}) {
		t.Fatalf("from _info: %v", f.SelectTags)
	}
	if f := mustParse(t, "_format_version: \"3.0\"\n", ParseOptions{SelectTags: []string{"x", "x"}}); !reflect.DeepEqual(f.SelectTags, []string{"x"}) {
		t.Fatalf("from the command line: %v", f.SelectTags)
	}
	if f := mustParse(t, withInfo, ParseOptions{SelectTags: []string{"team-a"}}); len(f.SelectTags) != 1 {
		t.Fatal("equal tags agree")
	}
	if _, err := parse(t, withInfo, ParseOptions{SelectTags: []string{"team-b"}}); err == nil || !strings.Contains(err.Error(), "must match") {
		t.Fatalf("disagreeing tags: %v", err)
	}
	reg := testRegistry(t)
	_, err := Parse(reg, []Source{{Name: "a.yaml", Data: []byte(withInfo)},
		{Name: "b.yaml", Data: []byte("_format_version: \"3.0\"\n_info:\n  select_tags: [team-b]\n")}}, ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "share their select tags") {
		t.Fatalf("files with different tags: %v", err)
	}
}

func TestSeveralFilesMergeIntoOneConfiguration(t *testing.T) {
	reg := testRegistry(t)
	f, err := Parse(reg, []Source{
		{Name: "services.yaml", Data: []byte("_format_version: \"3.0\"\nservices:\n- {name: s, host: h}\n")},
		{Name: "routes.yaml", Data: []byte("_format_version: \"3.0\"\nroutes:\n- {name: r, service: s, paths: [/r]}\n")},
	}, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustResolve(t, f)
	if len(r.Docs["routes"]) != 1 || r.Docs["routes"][0]["service"].(map[string]any)["id"] != r.Docs["services"][0]["id"] {
		t.Fatalf("cross-file reference: %v", r.Docs["routes"])
	}
	if f.Entities[1].File != "routes.yaml" {
		t.Fatalf("entities remember their file: %s", f.Entities[1].File)
	}
}

func TestTransformFalseKeepsPasswordHashes(t *testing.T) {
	src := `_format_version: "3.0"
_transform: %s
consumers:
- username: bob
  basicauth_credentials:
  - username: bob
    password: 5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8
`
	hashed := mustResolve(t, mustParse(t, strings.Replace(src, "%s", "false", 1), ParseOptions{}))
	if got := hashed.Docs["basicauth_credentials"][0]["password"]; got != "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8" {
		t.Fatalf("_transform: false must keep the hash, got %v", got)
	}
	clear := mustResolve(t, mustParse(t, strings.Replace(src, "%s", "true", 1), ParseOptions{}))
	if got := clear.Docs["basicauth_credentials"][0]["password"]; got == "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8" {
		t.Fatal("_transform: true hashes the password")
	}
}

// FuzzParse feeds arbitrary documents to the loader: it must never panic,
// and whatever it accepts must validate without panicking either.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  routes:\n  - paths: [/a]\n",
		`{"_format_version":"1.1","routes":[{"paths":["/a(b)"],"service":"x"}]}`,
		"_format_version: \"3.0\"\nconsumers:\n- username: ${{ env \"DECK_X\" }}\n  acls: [{group: g}]\n",
		"_format_version: \"3.0\"\n_ignore: [&a {host: h}]\nservices:\n- <<: *a\n  name: s\n",
		"- a\n- b\n",
	} {
		f.Add(seed)
	}
	reg := testRegistry(f)
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(reg, []Source{{Name: "fuzz.yaml", Data: []byte(src)}},
			ParseOptions{Env: func(string) (string, bool) { return "v", true }})
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("parse errors must be Errors, got %T: %v", err, err)
			}
			return
		}
		if _, err := file.Resolve(reg, ResolveOptions{}); err != nil {
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("validation errors must be Errors, got %T: %v", err, err)
			}
			_ = errs.KongFields()
			_ = errs.Flattened()
		}
	})
}

func TestAliasBombsAreRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\n_ignore:\n- &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "- &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	_, err := parse(t, b.String(), ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "too large once YAML aliases are expanded") {
		t.Fatalf("alias bomb: %v", err)
	}
}
