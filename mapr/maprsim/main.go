// Command maprsim is a TEST DOUBLE for MapR's command-line tools. It is NOT
// MapR, it manages no cluster, and it must never be installed on a real
// node. It exists so the mapr library's acceptance tests can run against a
// real OpenSSH server without a MapR installation.
//
// One binary answers to several names (argv[0]):
//
//	maprcli       license add|list|remove|showid, with -json envelopes
//	configure.sh  -N -C -Z [-secure|-unsecure] [-genkeys] [-no-autostart] [-R] ...
//	mapr-warden   start|stop|status (the initscript)
//	maprsim       install ROOT | --help
//
// `maprsim install ROOT` lays out ROOT/opt/mapr/{bin/maprcli,
// server/configure.sh, initscripts/mapr-warden, conf/}. The tools then keep
// all state in files under that MAPR_HOME (found from the executable's
// location, or from $MAPRSIM_ROOT/opt/mapr), so a client sees real files over
// SSH/SFTP. A MAPR_HOME not created by `maprsim install` is refused.
//
// Behaviour follows HPE's documentation as summarised in the project's
// reference notes; where MapR's exact wording is not documented (duplicate
// license, missing keys, ...) the messages are realistic inventions, listed
// in README.md.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

const banner = `maprsim — a TEST DOUBLE of MapR's maprcli / configure.sh / mapr-warden.
It is NOT MapR and manages no cluster. It keeps fake cluster state in files under
a directory created by "maprsim install ROOT", for automated tests only.
`

func main() {
	os.Exit(run(os.Args, os.Getenv, os.Stdout, os.Stderr))
}

// run dispatches on the program name, like a multi-call binary.
func run(argv []string, getenv func(string) string, stdout, stderr io.Writer) int {
	name := filepath.Base(argv[0])
	args := argv[1:]
	if name == "maprsim" || name == "maprsim.test" {
		return runMaprsim(args, stdout, stderr)
	}
	home, err := findHome(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	s := newSim(home, getenv, stdout, stderr)
	s.record(name, args)
	switch name {
	case "maprcli":
		return s.maprcli(args)
	case "configure.sh":
		return s.configure(args)
	case "mapr-warden":
		return s.warden(args)
	}
	fmt.Fprintf(stderr, "maprsim: unknown program name %q (want maprcli, configure.sh or mapr-warden)\n", name)
	return 1
}

func runMaprsim(args []string, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "install" {
		if err := install(args[1]); err != nil {
			fmt.Fprintf(stderr, "maprsim install: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "maprsim (test double) installed under %s\n", filepath.Join(args[1], "opt", "mapr"))
		return 0
	}
	fmt.Fprint(stdout, banner)
	fmt.Fprint(stdout, `
usage:
  maprsim install ROOT   create ROOT/opt/mapr with maprcli, configure.sh and
                         mapr-warden copies of this binary
  maprsim --help         this text

Installed, it answers as (state under ROOT/opt/mapr, or $MAPRSIM_ROOT/opt/mapr):
  maprcli license add -is_file true -license FILE [-json]
  maprcli license list [-json]
  maprcli license remove -license_id ID [-json]
  maprcli license showid [-json]
  configure.sh -N NAME -C CLDB[,..] -Z ZK[,..] [-secure|-unsecure] [-genkeys]
               [-no-autostart] [-R] [-u USER] [-g GROUP] [-L LOG] ...
  mapr-warden start|stop|status

Set MAPRSIM_QUIRKS=raw-newlines to make "license list -json" print raw newlines
inside JSON strings, as MapR's documentation warns real output can.
`)
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		return 0
	}
	return 2
}
