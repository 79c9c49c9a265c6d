package mapr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/pkg/sftp"
)

// SFTP extensions OpenSSH advertises; see PROTOCOL in OpenSSH's sources.
const (
	extPosixRename = "posix-rename@openssh.com"
	extFsync       = "fsync@openssh.com"
)

// cleanupTimeout bounds removing a temp file after a failed or cancelled upload.
const cleanupTimeout = 10 * time.Second

// sftpClient opens an SFTP subsystem for one operation; the context closes
// it, which fails whatever request is in flight. The release function must
// be called.
func (s *SSHExecutor) sftpClient(ctx context.Context) (*sftp.Client, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, func() {}, err
	}
	c, err := sftp.NewClient(s.client)
	if err != nil {
		return nil, func() {}, fmt.Errorf("sftp: opening subsystem on %s: %w", s.cfg.addr(), err)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	return c, func() { stop(); _ = c.Close() }, nil
}

// ctxErr prefers the context's error: after cancellation the SFTP error is
// just "connection closed", which hides why.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// Upload writes content to path on the node: a temp file created
// exclusively in the target directory, chmod 0600 before any byte is
// written, fsync when the server supports it, the final mode, then an
// atomic posix-rename over path (remove + rename when the server lacks the
// extension, with a warning). The temp file is removed on any failure.
// Identical content and mode make it a no-op.
func (s *SSHExecutor) Upload(ctx context.Context, p string, content []byte, mode fs.FileMode) (bool, error) {
	mode = uploadMode(mode)
	c, release, err := s.sftpClient(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	same, sameContent, err := remoteSame(c, p, content, mode)
	if err != nil {
		return false, ctxErr(ctx, fmt.Errorf("sftp: checking %s: %w", p, err))
	}
	if same {
		return false, nil
	}
	if sameContent {
		if err := c.Chmod(p, mode); err != nil {
			return false, ctxErr(ctx, fmt.Errorf("sftp: chmod %s: %w", p, err))
		}
		return true, nil
	}
	tmp, err := s.writeTemp(c, p, content, mode)
	if err == nil {
		err = s.rename(c, tmp, p)
	}
	if err != nil {
		if tmp != "" {
			s.removeAfterFailure(ctx, c, tmp)
		}
		return false, ctxErr(ctx, fmt.Errorf("sftp: uploading %s: %w", p, err))
	}
	return true, nil
}

// remoteSame reports whether p already holds content with mode (same), or
// holds content with another mode (sameContent).
func remoteSame(c *sftp.Client, p string, content []byte, mode fs.FileMode) (same, sameContent bool, err error) {
	fi, err := c.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if !fi.Mode().IsRegular() {
		return false, false, fmt.Errorf("%s exists and is not a regular file", p)
	}
	if fi.Size() != int64(len(content)) {
		return false, false, nil
	}
	old, err := readLimited(c.Open(p))
	if err != nil {
		// Unreadable (e.g. owned by another user): treat as different and
		// let the rename decide whether we may replace it.
		return false, false, nil
	}
	sameContent = sameDigest(old, content)
	return sameContent && fi.Mode().Perm() == mode.Perm(), sameContent, nil
}

// writeTemp writes content to a fresh temp file beside p and returns its
// name; on error the name is returned too when the file was created.
func (s *SSHExecutor) writeTemp(c *sftp.Client, p string, content []byte, mode fs.FileMode) (string, error) {
	tmp, err := tempName(p)
	if err != nil {
		return "", err
	}
	// O_EXCL: never write through a file or symlink someone else planted.
	f, err := c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return "", fmt.Errorf("creating temp file %s: %w", tmp, err)
	}
	if err := f.Chmod(DefaultFileMode); err != nil {
		_ = f.Close()
		return tmp, fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if _, err := f.Write(content); err != nil {
		_ = f.Close()
		return tmp, fmt.Errorf("writing %s: %w", tmp, err)
	}
	if _, ok := c.HasExtension(extFsync); ok {
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return tmp, fmt.Errorf("fsync %s: %w", tmp, err)
		}
	}
	if err := f.Close(); err != nil {
		return tmp, fmt.Errorf("closing %s: %w", tmp, err)
	}
	if mode != DefaultFileMode {
		if err := c.Chmod(tmp, mode); err != nil {
			return tmp, fmt.Errorf("chmod %s: %w", tmp, err)
		}
	}
	return tmp, nil
}

func tempName(p string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	dir, base := path.Split(p)
	return path.Join(dir, "."+base+".tmp-"+hex.EncodeToString(b[:])), nil
}

// rename moves tmp over p atomically when the server offers posix-rename.
// Plain SFTP rename refuses to replace an existing file, so without the
// extension the target is removed first: a short window in which p is
// missing, which is logged.
func (s *SSHExecutor) rename(c *sftp.Client, tmp, p string) error {
	if _, ok := c.HasExtension(extPosixRename); ok {
		if err := c.PosixRename(tmp, p); err != nil {
			return fmt.Errorf("renaming %s to %s: %w", tmp, p, err)
		}
		return nil
	}
	s.log.Warn("sftp: server lacks posix-rename; replacing the file non-atomically (remove, then rename)",
		"host", s.cfg.addr(), "path", p)
	if err := c.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s before rename: %w", p, err)
	}
	if err := c.Rename(tmp, p); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", tmp, p, err)
	}
	return nil
}

// removeAfterFailure deletes a temp file, on a fresh SFTP session when the
// operation's own was closed by cancellation.
func (s *SSHExecutor) removeAfterFailure(ctx context.Context, c *sftp.Client, tmp string) {
	if ctx.Err() == nil {
		if err := c.Remove(tmp); err == nil || errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	fresh, release, err := s.sftpClient(cctx)
	if err != nil {
		s.log.Warn("sftp: could not remove temp file", "host", s.cfg.addr(), "path", tmp, "error", err)
		return
	}
	defer release()
	if err := fresh.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("sftp: could not remove temp file", "host", s.cfg.addr(), "path", tmp, "error", err)
	}
}

// ReadFile reads path on the node over SFTP (at most MaxReadSize bytes).
func (s *SSHExecutor) ReadFile(ctx context.Context, p string) ([]byte, error) {
	c, release, err := s.sftpClient(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	b, err := readLimited(c.Open(p))
	if err != nil {
		return nil, ctxErr(ctx, fmt.Errorf("sftp: reading %s: %w", p, err))
	}
	return b, nil
}

// Stat describes path on the node.
func (s *SSHExecutor) Stat(ctx context.Context, p string) (fs.FileInfo, error) {
	c, release, err := s.sftpClient(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	fi, err := c.Stat(p)
	if err != nil {
		return nil, ctxErr(ctx, fmt.Errorf("sftp: stat %s: %w", p, err))
	}
	return fi, nil
}

// Remove deletes a file on the node; a missing file is fine.
func (s *SSHExecutor) Remove(ctx context.Context, p string) error {
	c, release, err := s.sftpClient(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := c.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ctxErr(ctx, fmt.Errorf("sftp: removing %s: %w", p, err))
	}
	return nil
}
