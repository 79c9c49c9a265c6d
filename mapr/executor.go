package mapr

import (
	"context"
	"io/fs"
	"time"
)

// Executor runs commands and moves files on one node: over SSH (SSHExecutor)
// or on the machine the caller runs on (LocalExecutor). The operations in
// this package take an Executor, so an Ansible module running on the node and
// a Terraform provider reaching it over SSH share one implementation.
type Executor interface {
	// Run starts cmd and waits for it. The error is for failures to run it
	// (transport, timeout, cancellation); a non-zero exit is reported in
	// Output.ExitCode, and Output.Check turns it into an error.
	Run(ctx context.Context, cmd Command) (Output, error)
	// Upload makes path hold content with the given mode (0 means 0600)
	// atomically: a temp file in the same directory, chmod, then rename over
	// path. When path already holds the same bytes and mode nothing is
	// written and changed is false.
	Upload(ctx context.Context, path string, content []byte, mode fs.FileMode) (changed bool, err error)
	// ReadFile returns the content of path; a missing file gives an error
	// matching fs.ErrNotExist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// Stat describes path; a missing file gives an error matching fs.ErrNotExist.
	Stat(ctx context.Context, path string) (fs.FileInfo, error)
	// Remove deletes a file; removing a missing file is not an error.
	Remove(ctx context.Context, path string) error
	// Close releases the connection, if any.
	Close() error
}

// DefaultCommandTimeout bounds a command when neither the Command nor the
// executor sets a timeout. configure.sh on a loaded node takes minutes; a
// hung maprcli (CLDB unreachable) should not hold an apply forever.
const DefaultCommandTimeout = 10 * time.Minute

// MaxReadSize caps ReadFile and captured command output, so a wrong path
// (a log, a device) cannot exhaust memory.
const MaxReadSize = 16 << 20

// DefaultFileMode is the mode of uploaded files: licenses and cluster
// configuration are for the owner only.
const DefaultFileMode fs.FileMode = 0o600

func commandTimeout(cmd Command, def time.Duration) time.Duration {
	switch {
	case cmd.Timeout > 0:
		return cmd.Timeout
	case def > 0:
		return def
	default:
		return DefaultCommandTimeout
	}
}
