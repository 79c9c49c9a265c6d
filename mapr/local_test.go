package mapr_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// printArgv prints each argument followed by NUL.
var printArgv = mapr.Command{Path: "/bin/sh", Args: []string{"-c", `for a; do printf '%s\0' "$a"; done`, "sh"}}

func withArgs(c mapr.Command, args ...string) mapr.Command {
	c.Args = append(append([]string(nil), c.Args...), args...)
	return c
}

func splitNUL(b []byte) []string {
	parts := strings.Split(string(b), "\x00")
	return parts[:len(parts)-1]
}

var trickyArgs = []string{"$HOME", "`id`", "a b", "it's", "x;rm -rf /nonexistent", "*", "\n", ""}

func runPassesArgumentsVerbatim(t *testing.T, x mapr.Executor) {
	out, err := x.Run(testContext(t), withArgs(printArgv, trickyArgs...))
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("%v %+v", err, out)
	}
	if got := splitNUL(out.Stdout); strings.Join(got, "|") != strings.Join(trickyArgs, "|") {
		t.Fatalf("arguments changed on the way: %q", got)
	}
}

func TestLocalRunPassesArgumentsWithoutAShell(t *testing.T) {
	runPassesArgumentsVerbatim(t, mapr.NewLocalExecutor())
}

func TestLocalRunReportsExitStatusStderrStdinAndEnv(t *testing.T) {
	x := mapr.NewLocalExecutor()
	out, err := x.Run(testContext(t), mapr.Command{Path: "/bin/sh", Args: []string{"-c", `cat; echo "$GREETING" >&2; exit 3`},
		Stdin: []byte("from stdin"), Env: map[string]string{"GREETING": "hello $USER"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 3 || string(out.Stdout) != "from stdin" || string(out.Stderr) != "hello $USER\n" {
		t.Fatalf("%+v", out)
	}
}

// processWith reports whether a process whose command line contains marker
// is still alive.
func processWith(marker string) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), marker) {
			return true
		}
	}
	return false
}

// hangingCommand is a shell that starts a child sleep and waits: stopping
// only the shell would leave the child behind. The sleep duration is unique
// so the test can find exactly its own process.
func hangingCommand() (mapr.Command, string) {
	marker := fmt.Sprintf("%d.%06d", 900+rand.IntN(99), rand.IntN(1_000_000))
	return mapr.Command{Path: "/bin/sh", Args: []string{"-c", "sleep " + marker + " & wait"}}, marker
}

func assertStopped(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for processWith(marker) {
		if time.Now().After(deadline) {
			t.Fatalf("the command (sleep %s) is still running after being stopped", marker)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func timeoutStopsTheCommand(t *testing.T, x mapr.Executor) {
	cmd, marker := hangingCommand()
	cmd.Timeout = 700 * time.Millisecond
	start := time.Now()
	_, err := x.Run(testContext(t), cmd)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 700ms") {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run returned %v after the timeout", took)
	}
	assertStopped(t, marker)

	cmd, marker = hangingCommand()
	ctx, cancel := context.WithCancel(testContext(t))
	time.AfterFunc(500*time.Millisecond, cancel)
	if _, err := x.Run(ctx, cmd); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: err = %v", err)
	}
	assertStopped(t, marker)
}

func TestLocalRunTimeoutAndCancelStopTheWholeCommand(t *testing.T) {
	timeoutStopsTheCommand(t, mapr.NewLocalExecutor())
}

// uploadIsAtomicAndIdempotent checks an executor's Upload on a directory of
// this machine (the SSH "node" is this machine too).
func uploadIsAtomicAndIdempotent(t *testing.T, x mapr.Executor) {
	ctx := testContext(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "license.txt")
	changed, err := x.Upload(ctx, target, []byte("v1"), 0)
	if err != nil || !changed {
		t.Fatalf("first upload: %v %v", changed, err)
	}
	fi, _ := os.Stat(target)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	ino := inode(t, target)
	if changed, err := x.Upload(ctx, target, []byte("v1"), 0o600); err != nil || changed {
		t.Fatalf("identical upload must be a no-op: %v %v", changed, err)
	}
	if inode(t, target) != ino {
		t.Error("identical upload rewrote the file")
	}
	if changed, err := x.Upload(ctx, target, []byte("v1"), 0o640); err != nil || !changed {
		t.Fatalf("mode change: %v %v", changed, err)
	}
	if changed, err := x.Upload(ctx, target, []byte("v2"), 0); err != nil || !changed {
		t.Fatalf("content change: %v %v", changed, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "v2" || inode(t, target) == ino {
		t.Errorf("content %q; a change must be a new file renamed into place", b)
	}
	// A target that cannot be replaced (a directory) fails and leaves no temp file.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Upload(ctx, filepath.Join(dir, "sub"), []byte("x"), 0); err == nil {
		t.Error("upload over a directory succeeded")
	}
	if _, err := x.Upload(ctx, filepath.Join(dir, "missing", "f"), []byte("x"), 0); err == nil {
		t.Error("upload into a missing directory succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("temp files left behind: %v", ents)
	}
}

func inode(t *testing.T, p string) uint64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestLocalUploadIsAtomicAndIdempotent(t *testing.T) {
	uploadIsAtomicAndIdempotent(t, mapr.NewLocalExecutor())
}

func filesReadStatRemove(t *testing.T, x mapr.Executor) {
	ctx := testContext(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	if _, err := x.ReadFile(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
	if _, err := x.Stat(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing file: %v", err)
	}
	if err := x.Remove(ctx, missing); err != nil {
		t.Errorf("Remove of a missing file: %v", err)
	}
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := x.ReadFile(ctx, p); err != nil || string(b) != "data" {
		t.Errorf("ReadFile: %q %v", b, err)
	}
	if fi, err := x.Stat(ctx, p); err != nil || fi.Size() != 4 {
		t.Errorf("Stat: %v %v", fi, err)
	}
	if err := x.Remove(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("Remove left the file: %v", err)
	}
}

func TestLocalReadStatRemove(t *testing.T) {
	filesReadStatRemove(t, mapr.NewLocalExecutor())
}

func TestLocalClusterBootstrapIdempotenceRefusalAndForcedRegenerate(t *testing.T) {
	clusterScenario(t, mapr.NewLocalExecutor(), simtest.Install(t), mapr.Become{})
}

func TestLocalLicenseInstallIsIdempotentAndAbsentRemovesIt(t *testing.T) {
	licenseScenario(t, mapr.NewLocalExecutor(), simtest.Install(t), mapr.Become{})
}

// fakeSudo writes a stand-in for sudo (not installed on the test machines)
// that records its arguments, insists on the `-n [-u user] --` shape the
// library must produce, and runs the rest.
func fakeSudo(t *testing.T) (path, log string) {
	dir := t.TempDir()
	path, log = filepath.Join(dir, "sudo"), filepath.Join(dir, "sudo.log")
	script := `#!/bin/sh
printf '%s\n' "$*" >> '` + log + `'
[ "$1" = -n ] || { echo "fake sudo: -n missing" >&2; exit 99; }
shift
if [ "$1" = -u ]; then shift 2; fi
[ "$1" = -- ] || { echo "fake sudo: -- missing" >&2; exit 99; }
shift
exec "$@"
`
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, log
}

func assertSudoUsed(t *testing.T, log string, want ...string) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("sudo was never called: %v", err)
	}
	for _, w := range want {
		if !strings.Contains(string(b), w) {
			t.Errorf("sudo log lacks %q:\n%s", w, b)
		}
	}
}

func TestLocalSudoWrapsEveryCommandAndFileRead(t *testing.T) {
	sudo, log := fakeSudo(t)
	n := simtest.Install(t)
	become := mapr.Become{Sudo: true, SudoUser: "mapr", SudoPath: sudo}
	clusterScenario(t, mapr.NewLocalExecutor(), n, become)
	assertSudoUsed(t, log, "-n -u mapr -- "+n.ConfigureSh+" -N demo.cluster", "-n -u mapr -- cat -- "+n.ConfDir+"/clusterid",
		"-n -u mapr -- "+n.Warden+" stop", "-n -u mapr -- mv -- "+n.ConfDir+"/clusterid")
}

func TestLocalGenkeysIsRefusedUpFrontWhenKeysExist(t *testing.T) {
	n := simtest.Install(t)
	if err := os.WriteFile(filepath.Join(n.ConfDir, "cldb.key"), []byte("copied from another node\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := clusterSpec(n, mapr.Become{})
	spec.Secure, spec.GenKeys = true, true
	for _, check := range []bool{true, false} {
		spec.CheckMode = check
		_, err := mapr.EnsureCluster(testContext(t), mapr.NewLocalExecutor(), spec)
		if err == nil || !strings.Contains(err.Error(), "cldb.key") {
			t.Fatalf("check=%v: err = %v", check, err)
		}
	}
	if calls := n.CallsMatching(t, "configure.sh"); len(calls) != 0 {
		t.Fatalf("configure.sh ran: %q", calls)
	}
}

func TestLocalSecureClusterWithGenkeysRegeneratesKeysOnlyWhenForced(t *testing.T) {
	x, n := mapr.NewLocalExecutor(), simtest.Install(t)
	ctx := testContext(t)
	spec := clusterSpec(n, mapr.Become{})
	spec.Secure, spec.GenKeys = true, true
	first, err := mapr.EnsureCluster(ctx, x, spec)
	if err != nil || !first.After.Secure || n.ReadConf(t, "cldb.key") == "" {
		t.Fatalf("secure bootstrap: %+v %v", first, err)
	}
	oldKey := n.ReadConf(t, "cldb.key")
	if again, err := mapr.EnsureCluster(ctx, x, spec); err != nil || again.Changed {
		t.Fatalf("second run: %+v %v", again, err)
	}
	spec.Name, spec.ForceRegenerate = "new.secure", true
	res, err := mapr.EnsureCluster(ctx, x, spec)
	if err != nil {
		t.Fatalf("forced: %v", err)
	}
	backedUp, err := os.ReadFile(filepath.Join(res.BackupDir, "cldb.key"))
	if err != nil || string(backedUp) != oldKey || n.ReadConf(t, "cldb.key") == oldKey {
		t.Fatalf("the old key must be in the backup and a new one generated: %v", err)
	}
}

func fileOpsHonourACancelledContext(t *testing.T, x mapr.Executor) {
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	dir := t.TempDir()
	target := filepath.Join(dir, "f")
	if _, err := x.Upload(ctx, target, []byte("x"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Upload: %v", err)
	}
	if _, err := x.ReadFile(ctx, target); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFile: %v", err)
	}
	if _, err := x.Run(ctx, mapr.Command{Path: "true"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a cancelled upload left %v", ents)
	}
}

func TestLocalOperationsHonourACancelledContext(t *testing.T) {
	fileOpsHonourACancelledContext(t, mapr.NewLocalExecutor())
}
