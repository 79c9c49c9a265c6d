package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// fakeRoot makes a MAPR_HOME the way `maprsim install` does, without
// copying binaries, and returns a runner for the simulated tools.
func fakeRoot(t *testing.T) (root string, tool func(args ...string) (stdout, stderr string, code int)) {
	t.Helper()
	root = t.TempDir()
	home := filepath.Join(root, "opt", "mapr")
	for _, d := range []string{"conf", ".maprsim"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, markerFile), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "MAPRSIM_ROOT" {
			return root
		}
		return ""
	}
	return root, func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(args, getenv, &out, &errb)
		return out.String(), errb.String(), code
	}
}

func mustRun(t *testing.T, tool func(...string) (string, string, int), args ...string) string {
	t.Helper()
	out, errOut, code := tool(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out
}

func conf(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "opt", "mapr", "conf", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHelpSaysItIsATestDouble(t *testing.T) {
	_, tool := fakeRoot(t)
	for _, argv := range [][]string{{"maprsim", "--help"}, {"/x/maprcli", "--help"}, {"/x/configure.sh", "--help"}} {
		out, _, _ := tool(argv...)
		if !strings.Contains(out, "TEST DOUBLE") || !strings.Contains(out, "NOT MapR") {
			t.Errorf("%v help does not say it is a test double:\n%s", argv, out)
		}
	}
}

func TestRefusesAHomeNotCreatedByInstall(t *testing.T) {
	root := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"/opt/mapr/bin/maprcli", "license", "list"},
		func(k string) string { return map[string]string{"MAPRSIM_ROOT": root}[k] }, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "refusing to run") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestInstallLaysOutTheToolsUnderOptMapr(t *testing.T) {
	root := t.TempDir()
	if err := install(root); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"bin/maprcli", "server/configure.sh", "initscripts/mapr-warden", markerFile} {
		if _, err := os.Stat(filepath.Join(root, "opt", "mapr", p)); err != nil {
			t.Error(err)
		}
	}
}

func TestConfigureWritesNineteenDigitIDAndClustersConf(t *testing.T) {
	root, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "demo.cluster", "-C", "n1,n2:7223", "-Z", "z1,z2,z3", "-unsecure")
	id := strings.TrimSpace(conf(t, root, "clusterid"))
	if !regexp.MustCompile(`^[1-9][0-9]{18}$`).MatchString(id) {
		t.Errorf("clusterid %q is not 19 digits", id)
	}
	if got := conf(t, root, "mapr-clusters.conf"); got != "demo.cluster secure=false n1:7222 n2:7223\n" {
		t.Errorf("mapr-clusters.conf = %q", got)
	}
	if got := conf(t, root, "warden.conf"); !strings.Contains(got, "zookeeper.servers=z1:5181,z2:5181,z3:5181\n") {
		t.Errorf("warden.conf = %q", got)
	}
	fi, _ := os.Stat(filepath.Join(root, "opt", "mapr", "conf", "clusterid"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("clusterid mode %v, want 0600", fi.Mode().Perm())
	}
	// Re-running with the same name keeps the id: only CLDB's first start writes one.
	mustRun(t, tool, "/x/configure.sh", "-N", "demo.cluster", "-C", "n1", "-Z", "z1", "-R")
	if again := strings.TrimSpace(conf(t, root, "clusterid")); again != id {
		t.Errorf("clusterid changed on reconfigure: %s -> %s", id, again)
	}
}

func TestConfigureNoAutostartLeavesTheIDToWardensFirstStart(t *testing.T) {
	root, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "c1", "-C", "n1", "-Z", "n1", "-no-autostart")
	if _, err := os.Stat(filepath.Join(root, "opt", "mapr", "conf", "clusterid")); !os.IsNotExist(err) {
		t.Fatalf("clusterid written without warden: %v", err)
	}
	if _, _, code := tool("/x/mapr-warden", "status"); code != 3 {
		t.Errorf("status exit %d, want 3 (not running)", code)
	}
	mustRun(t, tool, "/x/mapr-warden", "start")
	if id := strings.TrimSpace(conf(t, root, "clusterid")); len(id) != 19 {
		t.Errorf("clusterid after start = %q", id)
	}
}

func TestGenkeysRefusesWhenKeysExist(t *testing.T) {
	_, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "sec", "-C", "n1", "-Z", "n1", "-secure", "-genkeys")
	_, errOut, code := tool("/x/configure.sh", "-N", "sec", "-C", "n1", "-Z", "n1", "-secure", "-genkeys")
	if code == 0 || !strings.Contains(errOut, "already exist") || !strings.Contains(errOut, "cldb.key") {
		t.Fatalf("second -genkeys: exit %d, stderr %q", code, errOut)
	}
}

func TestConfigureRejectsUnknownOptionsAndMissingNodes(t *testing.T) {
	_, tool := fakeRoot(t)
	for _, args := range [][]string{
		{"/x/configure.sh", "-N", "c", "-C", "n1", "-Z", "n1", "--bogus"},
		{"/x/configure.sh", "-N", "c", "-C", "n1"},
		{"/x/configure.sh", "-N", "c", "-C", "n1", "-Z", "n1", "-genkeys"},
	} {
		if _, _, code := tool(args...); code == 0 {
			t.Errorf("%v succeeded", args)
		}
	}
}

func TestMaprcliFailsLikeAStoppedClusterBeforeConfigure(t *testing.T) {
	_, tool := fakeRoot(t)
	out, _, code := tool("/x/maprcli", "license", "list", "-json")
	env, err := mapr.ParseEnvelope([]byte(out))
	if code == 0 || err != nil || env.Status != "ERROR" || !strings.Contains(env.Errors[0].Desc, "CLDB") {
		t.Fatalf("exit %d, %v, %s", code, err, out)
	}
	_, errOut, _ := tool("/x/maprcli", "license", "list")
	if !strings.HasPrefix(errOut, "ERROR (10009) - ") {
		t.Errorf("text-mode error %q", errOut)
	}
}

func TestLicenseAddListDuplicateAndRemove(t *testing.T) {
	root, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "c1", "-C", "n1", "-Z", "n1")
	id := strings.TrimSpace(conf(t, root, "clusterid"))
	file := filepath.Join(t.TempDir(), "license.txt")
	if err := os.WriteFile(file, []byte(simtest.License(id, "M5 Trial")), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, tool, "/x/maprcli", "license", "add", "-is_file", "true", "-license", file, "-json")

	out, _, code := tool("/x/maprcli", "license", "add", "-is_file", "true", "-license", file, "-json")
	env, _ := mapr.ParseEnvelope([]byte(out))
	if code == 0 || env == nil || env.Errors[0].ID != "17" || !strings.Contains(env.Errors[0].Desc, "already exists") {
		t.Fatalf("duplicate add: exit %d\n%s", code, out)
	}

	lics, err := mapr.ParseLicenses([]byte(mustRun(t, tool, "/x/maprcli", "license", "list", "-json")))
	if err != nil || len(lics) != 2 || lics[1].Description != "M5 Trial" || lics[0].Deletable {
		t.Fatalf("list: %v %+v", err, lics)
	}
	if _, _, code := tool("/x/maprcli", "license", "remove", "-license_id", lics[0].ID, "-json"); code == 0 {
		t.Error("base license removed")
	}
	mustRun(t, tool, "/x/maprcli", "license", "remove", "-license_id", lics[1].ID, "-json")
	if _, _, code := tool("/x/maprcli", "license", "remove", "-license_id", lics[1].ID, "-json"); code == 0 {
		t.Error("removing a missing license succeeded")
	}
}

func TestLicenseForAnotherClusterIsRejected(t *testing.T) {
	_, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "c1", "-C", "n1", "-Z", "n1")
	out, _, code := tool("/x/maprcli", "license", "add", "-license", simtest.License("1234567890123456789", "x"), "-json")
	if code == 0 || !strings.Contains(out, "not valid for this cluster") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestUndocumentedParametersAreRejected(t *testing.T) {
	_, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "c1", "-C", "n1", "-Z", "n1")
	// The documented flag is -license_id; -licId is not accepted.
	out, _, code := tool("/x/maprcli", "license", "remove", "-licId", "x", "-json")
	if code == 0 || !strings.Contains(out, "Invalid parameter -licId") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestRawNewlinesQuirkBreaksStrictJSONButNotTheLibrary(t *testing.T) {
	root, tool := fakeRoot(t)
	mustRun(t, tool, "/x/configure.sh", "-N", "c1", "-C", "n1", "-Z", "n1")
	id := strings.TrimSpace(conf(t, root, "clusterid"))
	mustRun(t, tool, "/x/maprcli", "license", "add", "-license", simtest.License(id, "quirky"), "-json")
	var out bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"MAPRSIM_ROOT": root, "MAPRSIM_QUIRKS": "raw-newlines"}[k]
	}
	if code := run([]string{"/x/maprcli", "license", "list", "-json"}, getenv, &out, &out); code != 0 {
		t.Fatal(out.String())
	}
	if json.Valid(out.Bytes()) {
		t.Fatal("quirk output is valid JSON; the quirk did nothing")
	}
	lics, err := mapr.ParseLicenses(out.Bytes())
	if err != nil || len(lics) != 2 || !strings.Contains(lics[1].Text, "\nclusterid: ") {
		t.Fatalf("%v %+v", err, lics)
	}
}
