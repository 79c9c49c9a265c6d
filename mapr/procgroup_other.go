//go:build !unix

package mapr

import "os/exec"

// setProcessGroup relies on exec.CommandContext's default kill where
// process groups do not exist.
func setProcessGroup(*exec.Cmd) {}
