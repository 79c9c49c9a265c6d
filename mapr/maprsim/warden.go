package main

import "fmt"

// warden emulates /opt/mapr/initscripts/mapr-warden.
func (s *sim) warden(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(s.stderr, "usage: mapr-warden {start|stop|status|restart} (maprsim test double)")
		return 2
	}
	unlock, err := s.lock()
	if err != nil {
		fmt.Fprintf(s.stderr, "mapr-warden: %v\n", err)
		return 1
	}
	defer unlock()
	switch args[0] {
	case "start":
		err = s.startWarden()
	case "stop":
		err = s.stopWarden()
	case "restart":
		if err = s.stopWarden(); err == nil {
			err = s.startWarden()
		}
	case "status":
		if s.wardenRunning() {
			fmt.Fprintln(s.stdout, "WARDEN running (maprsim test double)")
			return 0
		}
		fmt.Fprintln(s.stdout, "WARDEN not running")
		return 3 // LSB: program is not running
	default:
		fmt.Fprintf(s.stderr, "mapr-warden: unknown action %q\n", args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintf(s.stderr, "mapr-warden: %v\n", err)
		return 1
	}
	return 0
}

// startWarden starts the simulated services; on a cluster's first start CLDB
// writes clusterid.
func (s *sim) startWarden() error {
	if !exists(s.conf("mapr-clusters.conf")) {
		return fmt.Errorf("%s is missing: run configure.sh first", s.conf("mapr-clusters.conf"))
	}
	if !exists(s.conf("clusterid")) {
		id, err := newClusterID()
		if err != nil {
			return err
		}
		if err := writeFile(s.conf("clusterid"), id+"\n", 0o600); err != nil {
			return err
		}
		fmt.Fprintf(s.stdout, "CLDB initialised cluster id %s\n", id)
	}
	fmt.Fprintln(s.stdout, "Starting WARDEN")
	return writeFile(s.state("warden"), "running\n", 0o644)
}

func (s *sim) stopWarden() error {
	fmt.Fprintln(s.stdout, "Stopping WARDEN")
	return writeFile(s.state("warden"), "stopped\n", 0o644)
}
