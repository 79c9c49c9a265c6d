package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// BuildTimeout bounds `go build` of the daemon; a cold build cache on two cores is slow.
const BuildTimeout = 10 * time.Minute

// BinEnv names the environment variable that points the harness at a prebuilt gatewayd.
const BinEnv = "GATEWAYD_BIN"

var build struct {
	once sync.Once
	dir  string // temporary directory holding the binary; removed by RunMain
	bin  string
	err  error
}

// RepoRoot returns the directory holding go.mod, found by walking up from the working
// directory (a package directory under `go test`).
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := findRepoRoot()
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	return root
}

func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or any parent")
		}
		dir = parent
	}
}

// BuildGatewayd returns the path of a gatewayd binary: $GATEWAYD_BIN when set, otherwise
// ./gatewayd/cmd/gatewayd built once per test process into a temporary directory.
func BuildGatewayd(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(BinEnv); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatalf("harness: %s=%q: %v", BinEnv, bin, err)
		}
		if err := checkExecutable(abs); err != nil {
			t.Fatalf("harness: %s: %v", BinEnv, err)
		}
		return abs
	}
	build.once.Do(func() { build.bin, build.err = buildGatewayd() })
	if build.err != nil {
		t.Fatalf("harness: building gatewayd: %v", build.err)
	}
	return build.bin
}

func buildGatewayd() (string, error) {
	root, err := findRepoRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "gatewayd-acctest-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "gatewayd")
	ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./gatewayd/cmd/gatewayd")
	cmd.Dir = root
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(dir)
	} else {
		build.dir = dir
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("go build did not finish within %v\n%s", BuildTimeout, out)
	}
	if err != nil {
		return "", fmt.Errorf("go build ./gatewayd/cmd/gatewayd: %v\n%s", err, out)
	}
	return bin, nil
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// RunMain runs the tests and then removes the binary BuildGatewayd built, if any,
// and runs the AtExit cleanups. Use it from TestMain: os.Exit(harness.RunMain(m)).
func RunMain(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	atExit.Lock()
	defer atExit.Unlock()
	for i := len(atExit.fns) - 1; i >= 0; i-- {
		atExit.fns[i]()
	}
	atExit.fns = nil
	return code
}

var atExit struct {
	sync.Mutex
	fns []func()
}

// AtExit registers a cleanup for state shared by every test of the process
// (a provider mirror built once); RunMain runs it after the last test.
func AtExit(fn func()) {
	atExit.Lock()
	defer atExit.Unlock()
	atExit.fns = append(atExit.fns, fn)
}
