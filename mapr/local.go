package mapr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// LocalExecutor runs commands on the machine the caller runs on, with
// os/exec and no shell: for an Ansible module executing on the MapR node
// itself. Its zero value is ready to use.
type LocalExecutor struct {
	// CommandTimeout is the default per-command timeout; zero means
	// DefaultCommandTimeout.
	CommandTimeout time.Duration
}

// NewLocalExecutor returns a LocalExecutor with default settings.
func NewLocalExecutor() *LocalExecutor { return &LocalExecutor{} }

// Run executes cmd directly (argv, no shell) and waits for it, killing its
// whole process group when the context ends or the timeout passes.
func (l *LocalExecutor) Run(ctx context.Context, cmd Command) (Output, error) {
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("%s: not started: %w", cmd, err)
	}
	argv, err := cmd.Argv()
	if err != nil {
		return Output{}, fmt.Errorf("%s: %w", cmd, err)
	}
	timeout := commandTimeout(cmd, l.CommandTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var stdout, stderr cappedBuffer
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if cmd.Stdin != nil {
		c.Stdin = bytes.NewReader(cmd.Stdin)
	}
	setProcessGroup(c)
	// A grandchild that keeps our pipes open must not keep Run waiting.
	c.WaitDelay = 5 * time.Second

	runErr := c.Run()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if ctx.Err() != nil {
		out.ExitCode = -1
		return out, interrupted(cmd, ctx, timeout)
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(runErr, &exitErr):
		out.ExitCode = exitErr.ExitCode()
		if out.ExitCode == -1 {
			out.Signal = exitErr.ProcessState.String()
		}
	case runErr != nil:
		return out, fmt.Errorf("running %s: %w", cmd, runErr)
	}
	if err := overflow(cmd, &stdout, &stderr); err != nil {
		return out, err
	}
	return out, nil
}

// interrupted explains why a command stopped early: its own timeout, or the
// caller's context.
func interrupted(cmd Command, ctx context.Context, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: timed out after %v and was stopped: %w", cmd, timeout, ctx.Err())
	}
	return fmt.Errorf("%s: cancelled and stopped: %w", cmd, ctx.Err())
}

func overflow(cmd Command, bufs ...*cappedBuffer) error {
	for _, b := range bufs {
		if b.truncated {
			return fmt.Errorf("%s: output exceeded %d bytes", cmd, MaxReadSize)
		}
	}
	return nil
}

// Upload writes content to path atomically (temp file in the same directory,
// fsync, rename, fsync of the directory), skipping the write when path
// already holds content with that mode.
func (l *LocalExecutor) Upload(ctx context.Context, path string, content []byte, mode fs.FileMode) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	mode = uploadMode(mode)
	if same, err := localSame(path, content, mode); err != nil || same {
		return false, err
	}
	if same, err := localSameContent(path, content); err == nil && same {
		// Only the mode differs: fix it in place, no rewrite needed.
		if err := os.Chmod(path, mode); err != nil {
			return false, fmt.Errorf("chmod %s: %w", path, err)
		}
		return true, nil
	}
	if err := writeAtomic(path, content, mode); err != nil {
		return false, fmt.Errorf("uploading %s: %w", path, err)
	}
	return true, nil
}

func writeAtomic(path string, content []byte, mode fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// Restrict before writing so the content never sits at a looser mode.
	if err = f.Chmod(DefaultFileMode); err != nil {
		return err
	}
	if _, err = f.Write(content); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp, mode); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Without a directory fsync the rename itself may not survive a crash.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

func localSame(path string, content []byte, mode fs.FileMode) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("%s exists and is not a regular file", path)
	}
	if fi.Mode().Perm() != mode.Perm() || fi.Size() != int64(len(content)) {
		return false, nil
	}
	return localSameContent(path, content)
}

func localSameContent(path string, content []byte) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != int64(len(content)) {
		return false, nil
	}
	old, err := readLimited(os.Open(path))
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	return sameDigest(old, content), nil
}

// ReadFile returns the content of path (at most MaxReadSize bytes).
func (l *LocalExecutor) ReadFile(ctx context.Context, path string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := readLimited(os.Open(path))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}

// Stat describes path.
func (l *LocalExecutor) Stat(ctx context.Context, path string) (fs.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return os.Stat(path)
}

// Remove deletes path; a missing file is fine.
func (l *LocalExecutor) Remove(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

// Close does nothing: there is no connection.
func (l *LocalExecutor) Close() error { return nil }

// readLimited reads an opened file up to MaxReadSize, failing beyond it.
func readLimited(r io.ReadCloser, openErr error) ([]byte, error) {
	if openErr != nil {
		return nil, openErr
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, MaxReadSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxReadSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxReadSize)
	}
	return b, nil
}

func uploadMode(mode fs.FileMode) fs.FileMode {
	if mode == 0 {
		return DefaultFileMode
	}
	return mode.Perm()
}

// cappedBuffer keeps the first MaxReadSize bytes written to it and drops the
// rest, remembering that it did. It never fails a write: an error would
// reach the command as EPIPE and change its behaviour.
type cappedBuffer struct {
	buf       bytes.Buffer
	truncated bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := MaxReadSize - c.buf.Len()
	if len(p) > room {
		c.truncated = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	c.buf.Write(p)
	return len(p), nil
}

func (c *cappedBuffer) Bytes() []byte { return c.buf.Bytes() }

var _ Executor = (*LocalExecutor)(nil)
