package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
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
		run(module.NewFrom(spec, []string{"mapr_cluster", file}, &out, func(int) { panic(exited{}) }))
	}()
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	return res
}

func nodeArgs(n *simtest.Node, name string) map[string]any {
	return map[string]any{"cluster_name": name, "cldb_nodes": []string{"n1"}, "zk_nodes": []string{"n1", "n2", "n3"},
		"conf_dir": n.ConfDir, "configure_sh_path": n.ConfigureSh, "warden_stop_command": []string{n.Warden, "stop"},
		"_ansible_diff": true}
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

var clusterID = regexp.MustCompile(`^[0-9]{19}$`)

func TestBootstrapIsIdempotentAndAMismatchIsRefused(t *testing.T) {
	n := simtest.Install(t)
	args := nodeArgs(n, "unit.cluster")

	predicted := runModule(t, with(args, "_ansible_check_mode", true))
	if predicted["changed"] != true || predicted["cluster_id"] != "" || n.ReadConf(t, "mapr-clusters.conf") != "" {
		t.Fatalf("check mode on a fresh node: %v", predicted)
	}

	first := runModule(t, args)
	id, _ := first["cluster_id"].(string)
	if first["changed"] != true || !clusterID.MatchString(id) || first["regenerated"] != false {
		t.Fatalf("bootstrap: %v", first)
	}
	if conf := n.ReadConf(t, "mapr-clusters.conf"); conf != "unit.cluster secure=false n1:7222\n" {
		t.Fatalf("mapr-clusters.conf = %q", conf)
	}
	if d := first["diff"].(map[string]any); d["before"].(map[string]any)["present"] != false ||
		d["after"].(map[string]any)["id"] != id {
		t.Fatalf("diff: %v", d)
	}

	again := runModule(t, args)
	if again["changed"] != false || again["cluster_id"] != id {
		t.Fatalf("second run: %v", again)
	}

	refused := runModule(t, nodeArgs(n, "renamed.cluster"))
	msg, _ := refused["msg"].(string)
	if refused["failed"] != true || !strings.Contains(msg, `already configured for cluster "unit.cluster"`) ||
		!strings.Contains(msg, "force_regenerate") || refused["cluster_id"] != id {
		t.Fatalf("mismatch: %v", refused)
	}
	if diffs := refused["differences"].([]any); len(diffs) != 1 || !strings.Contains(diffs[0].(string), `want "renamed.cluster"`) {
		t.Fatalf("differences: %v", diffs)
	}
	if strings.TrimSpace(n.ReadConf(t, "clusterid")) != id {
		t.Fatal("a refused run changed clusterid")
	}
}

func TestForceRegenerateMovesTheOldFilesAndReportsBothIds(t *testing.T) {
	n := simtest.Install(t)
	old := runModule(t, nodeArgs(n, "old.cluster"))["cluster_id"].(string)
	args := with(nodeArgs(n, "new.cluster"), "force_regenerate", true)

	predicted := runModule(t, with(args, "_ansible_check_mode", true))
	if predicted["changed"] != true || predicted["regenerated"] != true || predicted["old_cluster_id"] != old ||
		predicted["backup_dir"] != "" || strings.TrimSpace(n.ReadConf(t, "clusterid")) != old {
		t.Fatalf("check mode: %v", predicted)
	}
	if !n.WardenRunning(t) {
		t.Fatal("check mode stopped warden")
	}

	res := runModule(t, args)
	newID, _ := res["cluster_id"].(string)
	backup, _ := res["backup_dir"].(string)
	if res["changed"] != true || res["regenerated"] != true || res["old_cluster_id"] != old || !clusterID.MatchString(newID) || newID == old {
		t.Fatalf("forced regenerate: %v", res)
	}
	kept, err := os.ReadFile(filepath.Join(backup, "clusterid"))
	if err != nil || strings.TrimSpace(string(kept)) != old {
		t.Fatalf("backup %s: clusterid %q %v", backup, kept, err)
	}
	if conf := n.ReadConf(t, "mapr-clusters.conf"); !strings.HasPrefix(conf, "new.cluster ") {
		t.Fatalf("mapr-clusters.conf = %q", conf)
	}
}

func TestBadArgumentsFail(t *testing.T) {
	n := simtest.Install(t)
	for name, c := range map[string]struct {
		args map[string]any
		want string
	}{
		"required":           {map[string]any{}, "missing required arguments: cldb_nodes, cluster_name, zk_nodes"},
		"genkeys not secure": {with(nodeArgs(n, "c"), "genkeys", true), "genkeys requires secure"},
		"managed extra arg":  {with(nodeArgs(n, "c"), "extra_args", []string{"-N", "x"}), "extra argument -N"},
		"bad cluster name":   {nodeArgs(n, "bad name;rm"), "cluster"},
		"port without host":  {with(nodeArgs(n, "c"), "port", 2222), "port only apply with host"},
	} {
		t.Run(name, func(t *testing.T) {
			res := runModule(t, c.args)
			if msg, _ := res["msg"].(string); res["failed"] != true || !strings.Contains(msg, c.want) {
				t.Fatalf("want failure with %q, got %v", c.want, res)
			}
		})
	}
	if n.ReadConf(t, "mapr-clusters.conf") != "" {
		t.Fatal("a refused argument set configured the node")
	}
}
