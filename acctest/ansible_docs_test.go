package acctest

import (
	"archive/tar"
	"compress/gzip"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/ansible"
	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

// testDocsAndTarball checks what a user of the collection sees: every
// module is a static binary whose ansible-doc page documents exactly the
// options the binary accepts, with examples; and ansible-galaxy packs the
// collection into a tarball holding every binary and its documentation.
func testDocsAndTarball(t *testing.T, col string) {
	modDir := filepath.Join(col, "ansible_collections", "gatewayd", "toolkit", "plugins", "modules")
	mods := ansModuleNames(t, modDir)
	for _, want := range []string{"gateway_service", "gateway_route", "gateway_plugin", "gateway_consumer", "gateway_credential",
		"gateway_upstream", "gateway_target", "gateway_certificate", "gateway_info", "gateway_config", "gatewayd_install"} {
		if !slices.Contains(mods, want) {
			t.Errorf("the collection lacks the module %s (has %v)", want, mods)
		}
	}
	env := ansible.CleanEnv(t, t.TempDir(), col)
	docs := ansDocs(t, env, mods)
	for _, name := range mods {
		assertStaticBinary(t, filepath.Join(modDir, name))
		if want := ansSupportedParameters(t, filepath.Join(modDir, name)); !equalStrings(docs[name], want) {
			t.Errorf("%s: ansible-doc documents %v, the module accepts %v", name, docs[name], want)
		}
	}
	text := ansCommand(t, env, "ansible-doc", "gatewayd.toolkit.gateway_route")
	for _, want := range []string{"OPTIONS (= is mandatory):", "- paths", "- service", "- admin_token", "EXAMPLES:", "gatewayd.toolkit.gateway_route:", "RETURN VALUES:"} {
		if !strings.Contains(text, want) {
			t.Errorf("ansible-doc gatewayd.toolkit.gateway_route lacks %q", want)
		}
	}
	if role := ansCommand(t, env, "ansible-doc", "-t", "role", "gatewayd.toolkit.gatewayd"); !strings.Contains(role, "gatewayd_binary") {
		t.Errorf("ansible-doc -t role gatewayd.toolkit.gatewayd:\n%s", role)
	}

	out := t.TempDir()
	ansCommand(t, env, "ansible-galaxy", "collection", "build", "--output-path", out, filepath.Join(col, "ansible_collections", "gatewayd", "toolkit"))
	files := tarballFiles(t, filepath.Join(out, "gatewayd-toolkit-1.0.0.tar.gz"))
	for _, name := range mods {
		for _, f := range []string{"plugins/modules/" + name, "plugins/modules/" + name + ".yml"} {
			if !files[f] {
				t.Errorf("the tarball lacks %s", f)
			}
		}
	}
	for _, f := range []string{"MANIFEST.json", "FILES.json", "meta/runtime.yml", "README.md", "roles/gatewayd/tasks/main.yml", "plugins/doc_fragments/admin_api.py"} {
		if !files[f] {
			t.Errorf("the tarball lacks %s", f)
		}
	}
}

func ansModuleNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.Contains(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

// assertStaticBinary checks a module is a Linux ELF without a dynamic
// loader: it runs on any Linux host without libc matching the build's.
func assertStaticBinary(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Errorf("%s is not an ELF binary: %v", path, err)
		return
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked", filepath.Base(path))
		}
	}
}

// ansDocs returns each module's documented options and their aliases,
// sorted, from one ansible-doc -j run.
func ansDocs(t *testing.T, env []string, modules []string) map[string][]string {
	t.Helper()
	var doc map[string]struct {
		Doc struct {
			Options map[string]struct {
				Aliases []string `json:"aliases"`
			} `json:"options"`
		} `json:"doc"`
		Examples string `json:"examples"`
	}
	args := []string{"-j"}
	for _, m := range modules {
		args = append(args, "gatewayd.toolkit."+m)
	}
	if err := json.Unmarshal([]byte(ansCommand(t, env, "ansible-doc", args...)), &doc); err != nil {
		t.Fatalf("ansible-doc -j: %v", err)
	}
	out := map[string][]string{}
	for _, m := range modules {
		d, ok := doc["gatewayd.toolkit."+m]
		if !ok {
			t.Errorf("ansible-doc has no page for %s", m)
			continue
		}
		if strings.TrimSpace(d.Examples) == "" {
			t.Errorf("%s has no examples", m)
		}
		var names []string
		for name, o := range d.Doc.Options {
			names = append(names, name)
			names = append(names, o.Aliases...)
		}
		sort.Strings(names)
		out[m] = names
	}
	return out
}

// ansSupportedParameters runs the module with an unknown option: its
// answer lists every option and alias it accepts, as AnsibleModule does.
func ansSupportedParameters(t *testing.T, bin string) []string {
	t.Helper()
	args := filepath.Join(t.TempDir(), "args")
	ansWriteFile(t, args, `{"__doc_probe__": true}`)
	out, _ := exec.Command(bin, args).Output()
	var res struct{ Msg string }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	_, list, ok := strings.Cut(res.Msg, "Supported parameters include: ")
	if !ok {
		t.Fatalf("%s: %q", bin, res.Msg)
	}
	list, _, _ = strings.Cut(list, ".; ") // other problems the probe's arguments have
	var names []string
	for _, p := range strings.Split(strings.TrimSuffix(list, "."), ", ") {
		name, _, _ := strings.Cut(p, " (") // "token (admin_token)" is the alias token
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func ansCommand(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func tarballFiles(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("ansible-galaxy collection build produced no %s: %v", filepath.Base(path), err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(h.Name, "./")] = true
	}
}

// testModuleVersusURITime measures what a task costs: the same 20
// services, created and then re-run unchanged, with gateway_service and
// with a uri PUT (Kong's upsert, the fairest uri equivalent), minus a
// 20-item debug loop for Ansible's own per-item cost. It only logs: timings
// are never assertions. Set GATEWAYD_ANSIBLE_TIMING=1 to run it.
func testModuleVersusURITime(t *testing.T, col string) {
	if os.Getenv("GATEWAYD_ANSIBLE_TIMING") == "" {
		t.Skip("set GATEWAYD_ANSIBLE_TIMING=1 to measure per-task times")
	}
	const n = 20
	gw := harness.StartGatewayd(t, harness.Options{})
	dir := t.TempDir()
	play := func(name, task string) string {
		path := filepath.Join(dir, name+".yml")
		ansWriteFile(t, path, fmt.Sprintf("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - name: %s\n%s      loop: \"{{ range(%d) | list }}\"\n", name, task, n))
		return path
	}
	baseline := play("baseline", "      ansible.builtin.debug:\n        msg: \"{{ item }}\"\n")
	module := play("module", "      gatewayd.toolkit.gateway_service:\n        admin_url: \"{{ admin_url }}\"\n        name: \"m{{ item }}\"\n        url: http://127.0.0.1:9/m\n")
	uri := play("uri", "      ansible.builtin.uri:\n        url: \"{{ admin_url }}/services/u{{ item }}\"\n        method: PUT\n        body_format: json\n        body: {url: \"http://127.0.0.1:9/u\"}\n        status_code: [200, 201]\n")
	vars := map[string]any{"admin_url": gw.AdminURL}
	timeOf := func(pb string) time.Duration {
		return ansible.Run(t, ansible.Options{Collections: col, Playbook: pb, Vars: vars}).Duration
	}
	base := timeOf(baseline)
	per := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d-base)/float64(n)/1e6) }
	mCreate, mAgain := timeOf(module), timeOf(module)
	uCreate, uAgain := timeOf(uri), timeOf(uri)
	t.Logf("baseline (debug loop of %d): %v", n, base.Round(time.Millisecond))
	t.Logf("per task beyond a debug task: gateway_service create %s, unchanged %s; uri PUT create %s, again %s",
		per(mCreate), per(mAgain), per(uCreate), per(uAgain))
}
