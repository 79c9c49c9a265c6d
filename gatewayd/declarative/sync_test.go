package declarative_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
)

// richConfig exercises every nesting, references by name and id, secrets
// from the environment, plugins at every scope and entities without a
// natural key.
func richConfig(t testing.TB) string {
	cert, key := testCert(t, "secure.example.com")
	return `_format_version: "3.0"
certificates:
- id: 11111111-1111-4111-8111-111111111111
  cert: |
    ` + indent(strings.TrimSpace(cert), "    ") + `
  key: |
    ` + indent(strings.TrimSpace(key), "    ") + `
  snis:
  - name: secure.example.com
services:
- name: svc1
  url: http://example.com:8080/v1
  retries: 3
  tags: [api]
  routes:
  - name: r1
    paths: [/a, /b]
    methods: [GET]
    strip_path: false
    plugins:
    - name: cors
      config:
        origins: ["https://app.example.com"]
  - paths: [/nameless]
  plugins:
  - name: rate-limiting
    config:
      minute: 10
- name: svc2
  protocol: https
  host: ${{ env "DECK_HOST" }}
  port: 443
  client_certificate: 11111111-1111-4111-8111-111111111111
consumers:
- username: bob
  custom_id: bob-1
  keyauth_credentials:
  - key: ${{ env "DECK_BOB_KEY" }}
  acls:
  - group: admins
  plugins:
  - name: request-termination
    config: {status_code: 403}
- username: alice
  jwt_secrets:
  - key: alice-iss
    secret: alice-secret
  hmacauth_credentials:
  - username: alice-hmac
    secret: hmac-secret
upstreams:
- name: up1
  algorithm: least-connections
  targets:
  - target: 10.0.0.1:80
    weight: 50
  - target: 10.0.0.2
plugins:
- name: correlation-id
- name: rate-limiting
  route: r1
  consumer: bob
  config: {second: 5}
`
}

func TestSyncIntoAnEmptyNodeThenResyncChangesNothing(t *testing.T) {
	n := newNode(t)
	src := richConfig(t)
	res := n.mustSync(src)
	if res.Created != 20 || res.Updated != 0 || res.Deleted != 0 {
		t.Fatalf("first sync: %s\n%s", res.Summary(), strings.Join(changes(res), "\n"))
	}
	// Parents are created before the children that reference them.
	order := changes(res)
	pos := func(prefix string) int {
		return slices.IndexFunc(order, func(s string) bool { return strings.HasPrefix(s, prefix) })
	}
	for _, pair := range [][2]string{{"+ certificates", "+ snis"}, {"+ certificates", "+ services svc2"},
		{"+ services svc1", "+ routes r1"}, {"+ routes r1", "+ plugins cors"}, {"+ consumers bob", "+ keyauth_credentials"},
		{"+ upstreams up1", "+ targets"}} {
		if pos(pair[0]) < 0 || pos(pair[0]) > pos(pair[1]) {
			t.Fatalf("%q must come before %q:\n%s", pair[0], pair[1], strings.Join(order, "\n"))
		}
	}
	if got := n.get("/services/svc2")["host"]; got != "env.example.com" {
		t.Fatalf("environment value not applied: %v", got)
	}
	rev := n.revision()
	if again := n.mustSync(src); again.Changed() || again.Unchanged != 20 {
		t.Fatalf("re-sync: %s\n%s", again.Summary(), strings.Join(changes(again), "\n"))
	}
	if n.revision() != rev {
		t.Fatal("a re-sync with nothing to do must not write")
	}
}

func TestDumpSyncDumpRoundTrip(t *testing.T) {
	a := newNode(t)
	src := richConfig(t)
	a.mustSync(src)
	first := a.dump()
	for _, unwanted := range []string{"created_at", "updated_at", "retries: 5", "protocol: http\n", "null", "cert_digest",
		"https_redirect_status_code", "\n    id: 2254ba65"} {
		if strings.Contains(first, unwanted) {
			t.Fatalf("dump must leave out %q:\n%s", unwanted, first)
		}
	}
	for _, wanted := range []string{"_format_version: \"3.0\"", "name: svc1", "retries: 3", "routes:", "keyauth_credentials:",
		"targets:", "snis:", "id: 11111111-1111-4111-8111-111111111111", "client_certificate: 11111111-1111-4111-8111-111111111111",
		"consumer: bob", "route: r1"} {
		if !strings.Contains(first, wanted) {
			t.Fatalf("dump lacks %q:\n%s", wanted, first)
		}
	}
	if d := a.diff(first); d.Changed() {
		t.Fatalf("the dump describes the node exactly, yet diff finds:\n%s", strings.Join(changes(d), "\n"))
	}
	b := newNode(t)
	b.mustSync(first)
	second := b.dump()
	if first != second {
		t.Fatalf("dump -> sync -> dump differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if d := b.diff(src); d.Changed() {
		t.Fatalf("the original file must describe the copy too:\n%s", strings.Join(changes(d), "\n"))
	}
	if again := a.dump(); again != first {
		t.Fatal("dumps of the same state must be byte-identical")
	}
}

func TestSyncUpdatesOnlyWhatChangedAndDeletesWhatIsGone(t *testing.T) {
	n := newNode(t)
	n.mustSync(`_format_version: "3.0"
services:
- name: svc1
  host: example.com
  retries: 3
  routes:
  - name: r1
    paths: [/a]
  plugins:
  - name: rate-limiting
    config: {minute: 10, hour: 100}
- name: old
  host: old.example.com
consumers:
- username: bob
`)
	next := `_format_version: "3.0"
services:
- name: svc1
  host: example.com
  routes:
  - name: r1
    paths: [/a, /c]
  plugins:
  - name: rate-limiting
    config: {minute: 20}
consumers:
- username: bob
- username: carol
`
	plan := n.diff(next)
	want := []string{"~ services svc1", "~ routes r1 (service svc1)", "+ consumers carol",
		"~ plugins rate-limiting (service svc1)", "- services old"}
	if got := changes(plan); !reflect.DeepEqual(got, want) {
		t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var text strings.Builder
	if err := plan.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"    retries: 3 -> 5", `    paths: ["/a"] -> ["/a","/c"]`, "    config.minute: 10 -> 20",
		"    config.hour: 100 -> null", `    username: "carol"`} {
		if !strings.Contains(text.String(), line+"\n") {
			t.Fatalf("diff text lacks %q:\n%s", line, text.String())
		}
	}
	if plan.Summary() == "" || !strings.HasPrefix(plan.Summary(), "to create 1, to update 3, to delete 1 in ") {
		t.Fatalf("summary %q", plan.Summary())
	}
	res := n.mustSync(next)
	if res.Created != 1 || res.Updated != 3 || res.Deleted != 1 {
		t.Fatalf("sync: %s", res.Summary())
	}
	if d := n.diff(next); d.Changed() {
		t.Fatalf("after sync the diff must be empty:\n%s", strings.Join(changes(d), "\n"))
	}
	svc := n.get("/services/svc1")
	if svc["retries"] != 5.0 {
		t.Fatalf("a field removed from the file returns to its default: retries %v", svc["retries"])
	}
	plugins := n.get("/services/svc1/plugins")["data"].([]any)
	cfg := plugins[0].(map[string]any)["config"].(map[string]any)
	if cfg["minute"] != 20.0 || cfg["hour"] != nil {
		t.Fatalf("plugin config %v", cfg)
	}
	n.missing("/services/old")
}

func TestNoDeletesAppliesWithoutRemovingAnything(t *testing.T) {
	n := newNode(t)
	n.mustSync("_format_version: \"3.0\"\nservices:\n- {name: keep, host: h}\n- {name: other, host: h}\n")
	res, err := n.sync("_format_version: \"3.0\"\nservices:\n- {name: keep, host: h2}\n", declarative.SyncOptions{NoDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.Deleted != 0 {
		t.Fatalf("--no-deletes: %s", res.Summary())
	}
	n.get("/services/other")
}

// teamB puts another team's entities on the node, tagged team-b.
func teamB(t *testing.T, n *node) {
	n.mustSync(`_format_version: "3.0"
_info:
  select_tags: [team-b]
services:
- name: b-svc
  host: b.example.com
  routes:
  - name: b-route
    paths: [/b]
  plugins:
  - name: cors
consumers:
- username: b-user
  keyauth_credentials:
  - key: b-key
`)
	if status, body := n.call("POST", "/services", map[string]any{"name": "shared", "host": "shared.example.com"}); status != 201 {
		t.Fatalf("shared service: %d %v", status, body)
	}
}

// snapshotOf reads entities as the Admin API renders them (timestamps
// included), to prove they were not touched.
func snapshotOf(n *node, paths ...string) map[string]any {
	out := map[string]any{}
	for _, p := range paths {
		out[p] = n.get(p)
	}
	return out
}

var teamBPaths = []string{"/services/b-svc", "/routes/b-route", "/services/b-svc/plugins", "/consumers/b-user",
	"/consumers/b-user/key-auth", "/services/shared"}

func TestSelectTagsIsolateTeams(t *testing.T) {
	n := newNode(t)
	teamB(t, n)
	before := snapshotOf(n, teamBPaths...)
	teamA := `_format_version: "3.0"
_info:
  select_tags: [team-a]
services:
- name: a-svc
  host: a.example.com
  routes:
  - name: a-route
    paths: [/a]
    plugins:
    - name: cors
routes:
- name: a-on-shared
  service: shared
  paths: [/a-shared]
consumers:
- username: a-user
`
	res := n.mustSync(teamA)
	if res.Created != 5 || res.Deleted != 0 {
		t.Fatalf("team-a sync must only create its own entities: %s\n%s", res.Summary(), strings.Join(changes(res), "\n"))
	}
	for _, p := range []string{"/services/a-svc", "/routes/a-route", "/consumers/a-user"} {
		if tags := n.get(p)["tags"]; !reflect.DeepEqual(tags, []any{"team-a"}) {
			t.Fatalf("%s: select tags are added to every entity, got %v", p, tags)
		}
	}
	if got := n.get("/routes/a-on-shared")["service"].(map[string]any)["id"]; got != n.get("/services/shared")["id"] {
		t.Fatalf("a reference to an entity outside the file resolves on the node: %v", got)
	}
	// Shrinking team-a's file deletes team-a's entities only.
	res = n.mustSync(strings.Split(teamA, "routes:\n- name: a-on-shared")[0])
	if res.Deleted != 2 {
		t.Fatalf("team-a shrink: %s\n%s", res.Summary(), strings.Join(changes(res), "\n"))
	}
	if dump := n.dump("team-a"); strings.Contains(dump, "b-") || !strings.Contains(dump, "select_tags:\n    - team-a") {
		t.Fatalf("a scoped dump holds only team-a's entities:\n%s", dump)
	}
	// Reset within team-a.
	res, err := declarative.Reset(context.Background(), n.c, declarative.ResetOptions{Registry: n.reg, SelectTags: []string{"team-a"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 3 {
		t.Fatalf("reset team-a: %s", res.Summary())
	}
	n.missing("/services/a-svc")
	if after := snapshotOf(n, teamBPaths...); !reflect.DeepEqual(before, after) {
		t.Fatalf("team-b's entities changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestInvalidFilesFailBeforeTheFirstWrite(t *testing.T) {
	base := `_format_version: "3.0"
services:
- name: svc1
  host: example.com
  routes:
  - name: r1
    paths: [/a]
`
	for _, tc := range []struct {
		name, src string
		tags      []string
		want      string
	}{
		{"a schema violation", strings.Replace(base, "paths: [/a]", "paths: [/a]\n    strip_path: maybe", 1), nil,
			"kong.yaml:8: services[0].routes[0] (services.svc1.routes.r1): strip_path: expected a boolean"},
		{"a duplicate name", base + "- name: svc1\n  host: other\n", nil,
			"uniqueness violation: 'services' entity with name set to 'svc1' already declared"},
		{"a reference to nothing", base + "plugins:\n- name: cors\n  route: nope\n", nil,
			"invalid reference 'route: nope' (no such entry in 'routes', in the file or on the node)"},
		{"a reference to an entity the sync deletes", strings.Replace(base, "svc1", "svc9", 1) + "routes:\n- name: r2\n  service: svc1\n  paths: [/r2]\n", nil,
			"'service: svc1' refers to a service this sync deletes"},
		{"a plugin the node does not have", base + "plugins:\n- name: no-such-plugin\n", nil,
			"plugin 'no-such-plugin' not enabled"},
		{"an entity owned outside the select tags", "_format_version: \"3.0\"\nservices:\n- {name: svc1, host: h}\n", []string{"team-x"},
			"a service with name=svc1 exists on the node without the select tags [team-x]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			n.mustSync(base)
			rev := n.revision()
			before := n.dump()
			f, err := declarative.Parse(n.reg, []declarative.Source{{Name: "kong.yaml", Data: []byte(tc.src)}},
				declarative.ParseOptions{SelectTags: tc.tags})
			if err == nil {
				_, err = declarative.Sync(context.Background(), n.c, f, declarative.SyncOptions{Registry: n.reg})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant it to contain %q", err, tc.want)
			}
			var errs declarative.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("validation problems are declarative.Errors, got %T", err)
			}
			if n.revision() != rev || n.dump() != before {
				t.Fatal("a rejected sync must not have written anything")
			}
		})
	}
}

func TestAUniqueValueMovingBetweenEntitiesIsFreedFirst(t *testing.T) {
	n := newNode(t)
	n.mustSync("_format_version: \"3.0\"\nconsumers:\n- {username: a, custom_id: c1}\n- {username: b, custom_id: c2}\n")
	// a takes b's custom_id and b goes: b must be deleted before a is
	// updated, or the update hits b's unique custom_id (Kong/deck#698).
	res := n.mustSync("_format_version: \"3.0\"\nconsumers:\n- {username: a, custom_id: c2}\n")
	if got := changes(res); !reflect.DeepEqual(got, []string{"- consumers b", "~ consumers a"}) {
		t.Fatalf("changes %v", got)
	}
	if n.get("/consumers/a")["custom_id"] != "c2" {
		t.Fatal("custom_id must have moved")
	}
	n.missing("/consumers/b")
	// A consumer found by its custom_id under a new username is renamed.
	res = n.mustSync("_format_version: \"3.0\"\nconsumers:\n- {username: renamed, custom_id: c2}\n")
	if got := changes(res); !reflect.DeepEqual(got, []string{"~ consumers renamed"}) {
		t.Fatalf("rename by custom_id: %v", got)
	}
}

func TestSecretsAreMaskedInDiffs(t *testing.T) {
	n := newNode(t)
	src := `_format_version: "3.0"
consumers:
- username: bob
  keyauth_credentials:
  - key: ${{ env "DECK_BOB_KEY" }}
  basicauth_credentials:
  - username: bob
    password: clear-text-password
services:
- name: s
  host: ${{ env "DECK_HOST" }}
`
	for _, run := range []func() *declarative.Result{func() *declarative.Result { return n.diff(src) }, func() *declarative.Result {
		n.mustSync("_format_version: \"3.0\"\nservices:\n- {name: s, host: plain.example.com}\n")
		return n.diff(src)
	}} {
		var text strings.Builder
		if err := run().WriteText(&text); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"bob-s3cret-key", "clear-text-password", "env.example.com"} {
			if strings.Contains(text.String(), secret) {
				t.Fatalf("diff shows %q:\n%s", secret, text.String())
			}
		}
		if !strings.Contains(text.String(), "[masked]") {
			t.Fatalf("diff must show [masked]:\n%s", text.String())
		}
	}
}

func TestBasicAuthPasswordsCompareByTheirHash(t *testing.T) {
	n := newNode(t)
	src := `_format_version: "3.0"
consumers:
- username: bob
  basicauth_credentials:
  - username: bob
    password: s3cret
`
	n.mustSync(src)
	if d := n.diff(src); d.Changed() {
		t.Fatalf("the stored hash of the same password is no change:\n%s", strings.Join(changes(d), "\n"))
	}
	if d := n.diff(strings.Replace(src, "s3cret", "n3w", 1)); d.Updated != 1 {
		t.Fatalf("a new password is an update: %s", d.Summary())
	}
	dump := n.dump()
	if !strings.Contains(dump, "_transform: false") {
		t.Fatalf("a dump with password hashes says _transform: false:\n%s", dump)
	}
	if d := n.diff(dump); d.Changed() {
		t.Fatalf("the dumped hash compares equal:\n%s", strings.Join(changes(d), "\n"))
	}
	empty := newNode(t)
	if _, err := empty.sync(dump, declarative.SyncOptions{}); err == nil || !strings.Contains(err.Error(), "give the clear-text value") {
		t.Fatalf("creating a credential from a hash must be refused: %v", err)
	}
}

func TestSyncReportsProgressForEveryChange(t *testing.T) {
	n := newNode(t)
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "- name: s%d\n  host: h%d.example.com\n  routes:\n  - {name: r%d, paths: [/r%d]}\n", i, i, i, i)
	}
	var mu sync.Mutex
	var seen []declarative.Progress
	res, err := n.sync(b.String(), declarative.SyncOptions{Parallelism: 4, Progress: func(p declarative.Progress) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 80 || seen[len(seen)-1].Done != 80 || seen[0].Total != 80 || res.Created != 80 {
		t.Fatalf("progress: %d events, summary %s", len(seen), res.Summary())
	}
	if !strings.HasPrefix(res.Summary(), "created 80, updated 0, deleted 0 in ") {
		t.Fatalf("summary %q", res.Summary())
	}
}

func TestValidateOnlineUsesTheNodesSchemasAndEntities(t *testing.T) {
	n := newNode(t)
	n.mustSync("_format_version: \"3.0\"\nservices:\n- {name: shared, host: h}\n")
	ok := n.parse("_format_version: \"3.0\"\nroutes:\n- {name: r, service: shared, paths: [/r]}\n")
	if err := declarative.ValidateOnline(context.Background(), n.c, ok, n.reg, 4); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	bad := n.parse("_format_version: \"3.0\"\nroutes:\n- {name: r, service: nowhere, paths: [/r]}\n")
	if err := declarative.ValidateOnline(context.Background(), n.c, bad, n.reg, 4); err == nil || !strings.Contains(err.Error(), "invalid reference 'service: nowhere'") {
		t.Fatalf("missing reference: %v", err)
	}
	external, err := declarative.Validate(ok, n.reg)
	if err != nil || !reflect.DeepEqual(external, []string{`service "shared"`}) {
		t.Fatalf("offline validation notes references outside the file: %v %v", external, err)
	}
}

func TestTargetsAreUpdatedAndDeletedUnderTheirUpstream(t *testing.T) {
	n := newNode(t)
	n.mustSync("_format_version: \"3.0\"\nupstreams:\n- name: up\n  targets:\n  - {target: 10.0.0.1, weight: 10}\n  - {target: 10.0.0.2:81}\n")
	next := "_format_version: \"3.0\"\nupstreams:\n- name: up\n  targets:\n  - {target: '10.0.0.1:8000', weight: 20}\n"
	res := n.mustSync(next)
	if got := changes(res); !reflect.DeepEqual(got, []string{"~ targets 10.0.0.1:8000 (upstream up)", "- targets 10.0.0.2:81 (upstream up)"}) {
		t.Fatalf("changes %v", got)
	}
	targets := n.get("/upstreams/up/targets")["data"].([]any)
	if len(targets) != 1 || targets[0].(map[string]any)["weight"] != 20.0 {
		t.Fatalf("targets %v", targets)
	}
	if d := n.diff(next); d.Changed() {
		t.Fatalf("re-diff: %v", changes(d))
	}
}
