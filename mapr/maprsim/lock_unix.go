//go:build unix

package main

import (
	"os"
	"syscall"
)

// lock serialises simulated tools touching the same MAPR_HOME, as CLDB
// serialises license changes.
func (s *sim) lock() (func(), error) {
	f, err := os.OpenFile(s.state("lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
