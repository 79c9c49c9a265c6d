package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// markerFile proves a MAPR_HOME was created by `maprsim install`; without it
// the simulator refuses to write, so a misplaced binary can never touch a
// real /opt/mapr.
const markerFile = ".maprsim/TEST-DOUBLE"

// findHome locates MAPR_HOME: $MAPRSIM_ROOT/opt/mapr, else two levels above
// the executable (ROOT/opt/mapr/bin/maprcli -> ROOT/opt/mapr).
func findHome(getenv func(string) string) (string, error) {
	var home string
	if root := getenv("MAPRSIM_ROOT"); root != "" {
		home = filepath.Join(root, "opt", "mapr")
	} else {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("locating the executable: %w", err)
		}
		home = filepath.Dir(filepath.Dir(exe))
	}
	if _, err := os.Stat(filepath.Join(home, markerFile)); err != nil {
		return "", fmt.Errorf("%s was not created by `maprsim install`; refusing to run "+
			"(maprsim is a test double, not MapR)", home)
	}
	return home, nil
}

// install lays out ROOT/opt/mapr with copies of this binary under the names
// it answers to.
func install(root string) error {
	home := filepath.Join(root, "opt", "mapr")
	for _, d := range []string{"bin", "server", "conf", "initscripts", ".maprsim", "logs"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	for _, dst := range []string{"bin/maprcli", "server/configure.sh", "initscripts/mapr-warden"} {
		if err := copyFile(exe, filepath.Join(home, dst), 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(home, markerFile),
		[]byte("This MAPR_HOME belongs to maprsim, a test double of MapR. It is not a MapR installation.\n"), 0o644)
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// sim is one invocation of a simulated tool.
type sim struct {
	home           string
	getenv         func(string) string
	stdout, stderr io.Writer
	now            func() time.Time
}

func newSim(home string, getenv func(string) string, stdout, stderr io.Writer) *sim {
	return &sim{home: home, getenv: getenv, stdout: stdout, stderr: stderr, now: time.Now}
}

func (s *sim) conf(name string) string  { return filepath.Join(s.home, "conf", name) }
func (s *sim) state(name string) string { return filepath.Join(s.home, ".maprsim", name) }

// record appends the invocation to .maprsim/calls.log, one JSON line each, so
// tests can assert what ran (and that check mode ran nothing that writes).
func (s *sim) record(name string, args []string) {
	line, _ := json.Marshal(map[string]any{"time": s.now().UTC().Format(time.RFC3339Nano), "argv": append([]string{name}, args...)})
	f, err := os.OpenFile(s.state("calls.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// readOptional returns a file's content, or "" when it does not exist.
func readOptional(p string) (string, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// writeFile replaces p atomically, as MapR's own scripts would be expected to.
func writeFile(p, content string, mode os.FileMode) error {
	tmp := p + ".maprsim-tmp"
	if err := os.WriteFile(tmp, []byte(content), mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
