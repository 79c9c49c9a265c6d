package sshd_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
)

func TestClientLogsInWithStrictHostKeyChecking(t *testing.T) {
	s := sshd.Start(t)
	args := append(s.SSHArgs(), s.User+"@"+s.Host, "echo", "hello")
	out, err := exec.Command("ssh", args...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello" {
		t.Fatalf("ssh: %v\n%s\nsshd log:\n%s", err, out, s.Log())
	}
}

func TestUnknownHostKeyIsRefused(t *testing.T) {
	s := sshd.Start(t)
	args := s.SSHArgs()
	for i, a := range args {
		if strings.HasPrefix(a, "UserKnownHostsFile=") {
			args[i] = "UserKnownHostsFile=/dev/null"
		}
	}
	out, err := exec.Command("ssh", append(args, s.User+"@"+s.Host, "true")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Host key verification failed") {
		t.Fatalf("unknown host accepted: %v\n%s", err, out)
	}
}
