package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// The module runs in process (module.NewFrom, its exit unwinding with a
// panic) on this machine as on a node, against maprsim, the MapR TEST
// DOUBLE, installed in a temporary root. acctest/ansible_mapr_test.go runs
// the built binary through ansible-playbook, locally and over SSH.

func TestMain(m *testing.M) { os.Exit(simtest.RunMain(m)) }

type exited struct{}

func runModule(t *testing.T, args map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(exited); !ok {
					panic(r)
				}
			}
		}()
		run(module.NewFrom(spec, []string{"mapr_license", file}, &out, func(int) { panic(exited{}) }))
	}()
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	res["_raw"] = out.String()
	return res
}

// bootstrapped is a simulated node that belongs to a cluster, with its id.
func bootstrapped(t *testing.T) (*simtest.Node, string) {
	t.Helper()
	n := simtest.Install(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := mapr.EnsureCluster(ctx, mapr.NewLocalExecutor(), mapr.ClusterSpec{Name: "unit.cluster",
		CLDBNodes: []string{"n1"}, ZKNodes: []string{"n1"}, ConfDir: n.ConfDir, ConfigureSh: n.ConfigureSh})
	if err != nil {
		t.Fatal(err)
	}
	return n, res.After.ID
}

func baseArgs(n *simtest.Node, t *testing.T) map[string]any {
	up := filepath.Join(n.Root, "tmp")
	if err := os.MkdirAll(up, 0o700); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"maprcli_path": n.Maprcli, "upload_dir": up, "_ansible_diff": true}
}

func with(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// signature is a line of simtest.License that only the license text holds.
const signature = "QUNDVEVTVC1TSUdOQVRVUkUtTk9ULVJFQUwtc2ltdWxhdGVkLWZvci10ZXN0cw=="

func assertNoLicenseText(t *testing.T, res map[string]any) {
	t.Helper()
	for _, s := range []string{signature, "BEGIN SIGNED MESSAGE"} {
		if strings.Contains(res["_raw"].(string), s) {
			t.Fatalf("the license text was printed (%q):\n%s", s, res["_raw"])
		}
	}
}

func TestLicenseIsAddedOnceVerifiedAndRemoved(t *testing.T) {
	n, id := bootstrapped(t)
	args := with(baseArgs(n, t), "license", simtest.License(id, "unit license"))

	first := runModule(t, args)
	assertNoLicenseText(t, first)
	if first["failed"] != false || first["changed"] != true || first["license_id"] == "" || first["present"] != true {
		t.Fatalf("first run: %v", first)
	}
	if inv := first["invocation"].(map[string]any)["module_args"].(map[string]any); inv["license"] != module.NoLogPlaceholder {
		t.Fatalf("invocation shows the license as %v", inv["license"])
	}
	diff := first["diff"].(map[string]any)
	if diff["before"].(map[string]any)["present"] != false || diff["after"].(map[string]any)["id"] != first["license_id"] {
		t.Fatalf("diff: %v", diff)
	}

	again := runModule(t, args)
	if again["changed"] != false || again["license_id"] != first["license_id"] || again["license_sha256"] != first["license_sha256"] {
		t.Fatalf("second run: %v", again)
	}
	if adds := n.CallsMatching(t, "license add"); len(adds) != 1 {
		t.Fatalf("maprcli license add ran %d times, want once", len(adds))
	}
	if left, _ := os.ReadDir(filepath.Join(n.Root, "tmp")); len(left) != 0 {
		t.Fatalf("the uploaded license was left in upload_dir: %v", left)
	}

	checked := runModule(t, with(args, "state", "absent", "_ansible_check_mode", true))
	if checked["changed"] != true || checked["present"] != false || checked["license_id"] != first["license_id"] {
		t.Fatalf("check mode absent: %v", checked)
	}
	if len(n.CallsMatching(t, "license remove")) != 0 {
		t.Fatal("check mode ran maprcli license remove")
	}
	removed := runModule(t, with(baseArgs(n, t), "license_id", first["license_id"], "state", "absent"))
	if removed["changed"] != true {
		t.Fatalf("absent by id: %v", removed)
	}
	if gone := runModule(t, with(args, "state", "absent")); gone["changed"] != false || gone["failed"] != false {
		t.Fatalf("absent again: %v", gone)
	}
}

func TestLicenseFromSrcIsMaskedToo(t *testing.T) {
	n, id := bootstrapped(t)
	src := filepath.Join(t.TempDir(), "license.txt")
	if err := os.WriteFile(src, []byte(simtest.License(id, "from a file")), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runModule(t, with(baseArgs(n, t), "src", src))
	assertNoLicenseText(t, res)
	if res["changed"] != true || res["description"] != "from a file" {
		t.Fatalf("%v", res)
	}
}

func TestMaprcliErrorsAreSurfacedWithoutTheText(t *testing.T) {
	n, _ := bootstrapped(t)
	res := runModule(t, with(baseArgs(n, t), "license", simtest.License("1234567890123456789", "other cluster")))
	assertNoLicenseText(t, res)
	msg, _ := res["msg"].(string)
	if res["failed"] != true || !strings.Contains(msg, "License is not valid for this cluster") {
		t.Fatalf("want maprcli's refusal in msg, got %v", res)
	}
}

func TestBadArgumentsFailBeforeTouchingTheNode(t *testing.T) {
	for name, c := range map[string]struct {
		args map[string]any
		want string
	}{
		"nothing to install":   {map[string]any{}, "state is present but any of the following are missing: license, src"},
		"both text and src":    {map[string]any{"license": "dummy-license-text", "src": "/x"}, "mutually exclusive: license|src"},
		"id with present":      {map[string]any{"license": "dummy-license-text", "license_id": "abc"}, "license_id selects a license to remove"},
		"ssh option, no host":  {map[string]any{"license": "dummy-license-text", "private_key_file": "/k"}, "private_key_file only apply with host"},
		"insecure and known":   {map[string]any{"license": "dummy-license-text", "host": "h", "insecure_ignore_host_key": true, "known_hosts_file": "/kh"}, "known_hosts_file|insecure_ignore_host_key"},
		"sudo_user needs sudo": {map[string]any{"license": "dummy-license-text", "sudo_user": "mapr"}, "sudo_user needs sudo: true"},
		"missing src":          {map[string]any{"src": "/nonexistent/license.txt"}, "src is read on the machine the module runs on"},
	} {
		t.Run(name, func(t *testing.T) {
			res := runModule(t, c.args)
			if msg, _ := res["msg"].(string); res["failed"] != true || !strings.Contains(msg, c.want) {
				t.Fatalf("want failure with %q, got %v", c.want, res)
			}
		})
	}
}

func TestPassphraseAndPasswordAreNeverPrinted(t *testing.T) {
	// The host does not exist: the connection fails, and neither secret may
	// appear in the failure.
	res := runModule(t, map[string]any{"license": "dummy-license-text", "host": "127.0.0.1", "port": 1, "user": "u",
		"password": "pw-s3cret-value", "private_key_passphrase": "pp-s3cret-value", "insecure_ignore_host_key": true,
		"connect_timeout": 5})
	raw := res["_raw"].(string)
	if res["failed"] != true || strings.Contains(raw, "pw-s3cret-value") || strings.Contains(raw, "pp-s3cret-value") {
		t.Fatalf("%s", raw)
	}
}
