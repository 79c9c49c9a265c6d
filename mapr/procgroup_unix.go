//go:build unix

package mapr

import (
	"os/exec"
	"syscall"
	"time"
)

// killGrace is how long a cancelled command gets between SIGTERM and SIGKILL.
const killGrace = 2 * time.Second

// setProcessGroup puts the command in its own process group and makes
// cancellation signal the whole group, so a wrapper (env, a script) cannot
// leave its children running after a timeout. SIGTERM comes first because
// sudo relays it to a child it runs as another user, which we could not
// signal directly; SIGKILL follows for whatever ignored it.
func setProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error {
		if c.Process == nil {
			return nil
		}
		pgid := -c.Process.Pid
		err := syscall.Kill(pgid, syscall.SIGTERM)
		time.AfterFunc(killGrace, func() { _ = syscall.Kill(pgid, syscall.SIGKILL) })
		return err
	}
}
