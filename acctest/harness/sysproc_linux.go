package harness

import "syscall"

// sysProcAttr makes the kernel kill the daemon if the test process dies (a panic or a
// `go test -timeout`), so no orphan keeps a port or a database open after the run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
