package mapr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// Become says how commands acquire privileges on the node: MapR's files
// (/opt/mapr/conf/clusterid is mode 0600, owner mapr) and maprcli usually
// need root or the mapr user.
type Become struct {
	// Sudo runs commands, and reads protected files, through `sudo -n`.
	Sudo bool
	// SudoUser is the user to become (sudo -u); empty means root.
	SudoUser string
	// SudoPath is the sudo program; empty means "sudo".
	SudoPath string
}

// node is the privileged view of an Executor the operations use: commands
// with sudo and environment applied, and file access that goes through sudo
// when it is on (SFTP runs as the login user and could not read MapR's
// files otherwise).
type node struct {
	exec    Executor
	become  Become
	env     map[string]string
	timeout time.Duration
}

func (n node) command(path string, args ...string) Command {
	return Command{Path: path, Args: args, Env: n.env, Sudo: n.become.Sudo,
		SudoUser: n.become.SudoUser, SudoPath: n.become.SudoPath, Timeout: n.timeout}
}

// plain is a command without the caller's environment (coreutils need none).
func (n node) plain(path string, args ...string) Command {
	c := n.command(path, args...)
	c.Env = nil
	return c
}

// run runs a command and fails on a non-zero exit.
func (n node) run(ctx context.Context, c Command) (Output, error) {
	out, err := n.exec.Run(ctx, c)
	if err != nil {
		return out, err
	}
	return out, out.Check(c)
}

// exists reports whether path exists on the node.
func (n node) exists(ctx context.Context, path string) (bool, error) {
	if !n.become.Sudo {
		_, err := n.exec.Stat(ctx, path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	c := n.plain("test", "-e", path)
	out, err := n.exec.Run(ctx, c)
	if err != nil {
		return false, err
	}
	switch out.ExitCode {
	case 0:
		return true, nil
	case 1:
		return false, nil
	}
	return false, out.Check(c)
}

// readFile returns the content of path, or found=false when it is missing.
func (n node) readFile(ctx context.Context, path string) (data []byte, found bool, err error) {
	if !n.become.Sudo {
		b, err := n.exec.ReadFile(ctx, path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		return b, err == nil, err
	}
	ok, err := n.exists(ctx, path)
	if err != nil || !ok {
		return nil, false, err
	}
	out, err := n.run(ctx, n.plain("cat", "--", path))
	if err != nil {
		return nil, false, err
	}
	return out.Stdout, true, nil
}

// list returns the names in dir (none when it does not exist).
func (n node) list(ctx context.Context, dir string) ([]string, error) {
	ok, err := n.exists(ctx, dir)
	if err != nil || !ok {
		return nil, err
	}
	out, err := n.run(ctx, n.plain("ls", "-1A", "--", dir))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range strings.Split(string(out.Stdout), "\n") {
		if l != "" {
			names = append(names, l)
		}
	}
	return names, nil
}

// makePrivateDir creates dir (mode 0700), failing when it already exists so
// two backups never mix.
func (n node) makePrivateDir(ctx context.Context, dir string) error {
	ok, err := n.exists(ctx, dir)
	if err != nil {
		return err
	}
	if ok {
		return fmt.Errorf("%s already exists", dir)
	}
	_, err = n.run(ctx, n.plain("mkdir", "-p", "-m", "0700", "--", dir))
	return err
}

// move renames src into dir, keeping its name (dir is a fresh backup
// directory, so nothing there can be overwritten).
func (n node) move(ctx context.Context, src, dir string) error {
	_, err := n.run(ctx, n.plain("mv", "--", src, dir+"/"))
	return err
}

// copyInto copies src into dir, preserving mode and times.
func (n node) copyInto(ctx context.Context, src, dir string) error {
	_, err := n.run(ctx, n.plain("cp", "-p", "--", src, dir+"/"))
	return err
}
