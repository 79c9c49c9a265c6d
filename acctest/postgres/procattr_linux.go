package postgres

import "syscall"

// serverProcAttr runs the server as cred and, because Linux can, ties its
// life to ours: SIGQUIT (immediate shutdown) when the test binary exits,
// however it exits.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
