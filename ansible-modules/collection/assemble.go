// Package collection assembles the Ansible collection gatewayd.toolkit:
// one static binary per module of ansible-modules/cmd, each beside its
// sidecar documentation <name>.yml, plus galaxy.yml, meta/, the doc
// fragments, the roles and the README from this directory. `make
// collection` and the acceptance tests both use Assemble, so what is
// tested is what is shipped.
package collection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Namespace and Name of the collection.
const (
	Namespace = "gatewayd"
	Name      = "toolkit"
)

// Options control Assemble.
type Options struct {
	// Root is the repository root (holding go.mod).
	Root string
	// Out is the directory that receives ansible_collections/gatewayd/toolkit;
	// it is what ANSIBLE_COLLECTIONS_PATH points at.
	Out string
	// GOARCH of the binaries: amd64 (default) or arm64. GOOS is linux.
	GOARCH string
	// Go is the go command (default "go").
	Go string
	// Timeout bounds the build (default 10 minutes: a cold cache on two cores).
	Timeout time.Duration
}

// Module is one assembled module.
type Module struct {
	Name string
	Path string
	Size int64
}

// Dir is where the collection lands under out.
func Dir(out string) string {
	return filepath.Join(out, "ansible_collections", Namespace, Name)
}

// Assemble builds every module and lays the collection out under
// opts.Out, replacing what was there.
func Assemble(opts Options) ([]Module, error) {
	if opts.GOARCH == "" {
		opts.GOARCH = "amd64"
	}
	if opts.GOARCH != "amd64" && opts.GOARCH != "arm64" {
		return nil, fmt.Errorf("GOARCH %q: want amd64 or arm64", opts.GOARCH)
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	src := filepath.Join(opts.Root, "ansible-modules", "collection")
	dest := Dir(opts.Out)
	if err := os.RemoveAll(dest); err != nil {
		return nil, err
	}
	modDir := filepath.Join(dest, "plugins", "modules")
	if err := os.MkdirAll(modDir, 0o755); err != nil {
		return nil, err
	}
	if err := build(opts, modDir); err != nil {
		return nil, err
	}
	for _, f := range []string{"galaxy.yml", "README.md", "meta", "roles", "plugins/doc_fragments"} {
		if err := copyTree(filepath.Join(src, f), filepath.Join(dest, f)); err != nil {
			return nil, fmt.Errorf("copying %s: %w", f, err)
		}
	}
	return pairDocs(filepath.Join(src, "plugins", "modules"), modDir)
}

// build compiles every ./ansible-modules/cmd/* package with one go command
// (shared packages compile once; links run in parallel) into dir.
func build(opts Options, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, opts.Go, "build", "-trimpath", "-ldflags", "-s -w", "-o", dir+string(filepath.Separator),
		"./ansible-modules/cmd/...")
	cmd.Dir = opts.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+opts.GOARCH)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("go build of the modules did not finish within %v\n%s", opts.Timeout, out)
	}
	if err != nil {
		return fmt.Errorf("go build ./ansible-modules/cmd/...: %v\n%s", err, out)
	}
	return nil
}

// pairDocs copies each module's <name>.yml beside its binary and fails
// when a binary has no documentation or a documentation no binary:
// ansible-doc would otherwise fail on a user's machine, not here.
func pairDocs(docDir, modDir string) ([]Module, error) {
	entries, err := os.ReadDir(modDir)
	if err != nil {
		return nil, err
	}
	var mods []Module
	var problems []string
	for _, e := range entries {
		if e.IsDir() || strings.Contains(e.Name(), ".") {
			continue
		}
		doc := filepath.Join(docDir, e.Name()+".yml")
		if err := copyFile(doc, filepath.Join(modDir, e.Name()+".yml"), 0o644); err != nil {
			problems = append(problems, fmt.Sprintf("module %s has no documentation %s", e.Name(), doc))
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return nil, err
		}
		mods = append(mods, Module{Name: e.Name(), Path: filepath.Join(modDir, e.Name()), Size: fi.Size()})
	}
	docs, _ := filepath.Glob(filepath.Join(docDir, "*.yml"))
	for _, d := range docs {
		name := strings.TrimSuffix(filepath.Base(d), ".yml")
		if _, err := os.Stat(filepath.Join(modDir, name)); err != nil {
			problems = append(problems, fmt.Sprintf("documentation %s has no module ansible-modules/cmd/%s", d, name))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return mods, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasSuffix(path, ".go") {
			return nil
		}
		return copyFile(path, target, 0o644)
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
