//go:build !linux

package postgres

import "syscall"

// serverProcAttr runs the server as cred. Without a parent-death signal the
// server outlives the test binary until the machine's next cleanup; the
// directory is still garbage-collected by a later run once it stops.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
