package mapr

import (
	"strings"
	"testing"
)

func TestArgvPutsSudoFirstThenEnvThenTheProgram(t *testing.T) {
	c := Command{Path: "/opt/mapr/bin/maprcli", Args: []string{"license", "list"},
		Env: map[string]string{"MAPR_TICKETFILE_LOCATION": "/tmp/t", "A": "1"}, Sudo: true, SudoUser: "mapr"}
	got, err := c.Argv()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sudo", "-n", "-u", "mapr", "--", "/usr/bin/env", "A=1", "MAPR_TICKETFILE_LOCATION=/tmp/t",
		"/opt/mapr/bin/maprcli", "license", "list"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("argv = %q\nwant   %q", got, want)
	}
}

func TestArgvWithoutSudoOrEnvIsJustTheProgram(t *testing.T) {
	got, err := Command{Path: "ls", Args: []string{"-l", "x y"}}.Argv()
	if err != nil || strings.Join(got, "|") != "ls|-l|x y" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestArgvUsesTheConfiguredSudoProgram(t *testing.T) {
	got, _ := Command{Path: "id", Sudo: true, SudoPath: "/usr/local/bin/sudo"}.Argv()
	if strings.Join(got, " ") != "/usr/local/bin/sudo -n -- id" {
		t.Fatalf("%q", got)
	}
}

func TestArgvRejectsUnsafeCommands(t *testing.T) {
	for name, c := range map[string]Command{
		"no program":             {},
		"env name with =":        {Path: "x", Env: map[string]string{"A=B": "c"}},
		"env name with space":    {Path: "x", Env: map[string]string{"A B": "c"}},
		"path with = after env":  {Path: "a=b", Env: map[string]string{"A": "1"}},
		"sudo user without sudo": {Path: "x", SudoUser: "mapr"},
		"sudo user like option":  {Path: "x", Sudo: true, SudoUser: "-s"},
	} {
		if _, err := c.Argv(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCommandStringQuotesOddWordsAndHidesEnvValues(t *testing.T) {
	c := Command{Path: "maprcli", Args: []string{"license", "add", "-license", "/tmp/a b"},
		Env: map[string]string{"SECRET": "hunter2"}, Sudo: true}
	s := c.String()
	if strings.Contains(s, "hunter2") {
		t.Errorf("String leaks env value: %s", s)
	}
	if !strings.Contains(s, "'/tmp/a b'") || !strings.HasPrefix(s, "sudo SECRET=… maprcli license add") {
		t.Errorf("String = %s", s)
	}
}

func TestExitErrorShowsStatusAndFirstLinesOfStderr(t *testing.T) {
	err := Output{ExitCode: 3, Stderr: []byte("\nfirst\nsecond\n")}.Check(Command{Path: "x"})
	if err == nil || err.Error() != "x exited with status 3: first; second" {
		t.Fatalf("%v", err)
	}
	if err := (Output{}).Check(Command{Path: "x"}); err != nil {
		t.Fatal(err)
	}
}

func TestPIDWriterStripsTheWrapperLine(t *testing.T) {
	var out cappedBuffer
	w := newPIDWriter(&out)
	for _, chunk := range []string{pidMarker + "12", "34\nreal ", "stderr\n"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if w.PID() != 1234 || string(out.Bytes()) != "real stderr\n" {
		t.Fatalf("pid %d, rest %q", w.PID(), out.Bytes())
	}
	var other cappedBuffer
	w = newPIDWriter(&other)
	_, _ = w.Write([]byte("no marker here\n"))
	if w.PID() != 0 || string(other.Bytes()) != "no marker here\n" {
		t.Fatalf("pid %d, rest %q", w.PID(), other.Bytes())
	}
}
