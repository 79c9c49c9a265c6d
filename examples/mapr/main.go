// Command mapr-bootstrap is an example of the mapr library: over SSH, with the
// host key checked against known_hosts, it makes a node belong to a cluster
// (configure.sh only when the node has no cluster yet) and, given a license
// file, makes sure the cluster has that license. Run it twice and the second
// run changes nothing.
//
//	go run ./examples/mapr -host node1.example.com -user mapr -key ~/.ssh/id_ed25519 \
//	    -known-hosts ~/.ssh/known_hosts -sudo -cluster my.cluster.com -cldb node1 -zk node1,node2,node3
//	# then, once you have a license for the printed cluster id:
//	go run ./examples/mapr ... -license ./license.txt
//
// examples/mapr/README.md shows the same against maprsim, the test double.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/mapr"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mapr-bootstrap:", err)
		os.Exit(1)
	}
}

type options struct {
	ssh                 mapr.SSHConfig
	sudo                bool
	maprHome            string
	cluster, cldb, zk   string
	license             string
	forceRegenerate     bool
	check, insecureHost bool
}

func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mapr-bootstrap", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.ssh.Host, "host", "", "node to connect to")
	fs.IntVar(&o.ssh.Port, "port", 22, "SSH port")
	fs.StringVar(&o.ssh.User, "user", os.Getenv("USER"), "SSH user")
	fs.StringVar(&o.ssh.PrivateKeyFile, "key", "", "private key file (default: ssh-agent)")
	fs.StringVar(&o.ssh.KnownHostsFile, "known-hosts", "", "known_hosts file (default ~/.ssh/known_hosts)")
	fs.BoolVar(&o.insecureHost, "insecure-ignore-host-key", false, "DANGEROUS: accept any host key")
	fs.BoolVar(&o.sudo, "sudo", false, "run MapR commands through sudo -n")
	fs.StringVar(&o.maprHome, "mapr-home", "/opt/mapr", "MAPR_HOME on the node")
	fs.StringVar(&o.cluster, "cluster", "", "cluster name (configure.sh -N)")
	fs.StringVar(&o.cldb, "cldb", "", "comma-separated CLDB nodes (-C)")
	fs.StringVar(&o.zk, "zk", "", "comma-separated ZooKeeper nodes (-Z), same order on every node")
	fs.StringVar(&o.license, "license", "", "license file to install (optional)")
	fs.BoolVar(&o.forceRegenerate, "force-regenerate", false, "replace a different existing cluster identity (backs it up first)")
	fs.BoolVar(&o.check, "check", false, "report what would change without changing it")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.ssh.InsecureIgnoreHostKey = o.insecureHost
	if o.ssh.Host == "" || o.cluster == "" || o.cldb == "" || o.zk == "" {
		return o, errors.New("-host, -cluster, -cldb and -zk are required")
	}
	return o, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	node, err := mapr.DialSSH(ctx, o.ssh)
	if err != nil {
		return err
	}
	defer node.Close()
	become := mapr.Become{Sudo: o.sudo}

	cluster, err := mapr.EnsureCluster(ctx, node, mapr.ClusterSpec{
		Name: o.cluster, CLDBNodes: strings.Split(o.cldb, ","), ZKNodes: strings.Split(o.zk, ","),
		ConfDir:         filepath.Join(o.maprHome, "conf"),
		ConfigureSh:     filepath.Join(o.maprHome, "server", "configure.sh"),
		StopWarden:      []string{filepath.Join(o.maprHome, "initscripts", "mapr-warden"), "stop"},
		ForceRegenerate: o.forceRegenerate, Become: become, CheckMode: o.check,
	})
	report(out, "cluster", cluster.Changed, cluster.After.ID, cluster.Messages)
	if err != nil {
		return err
	}
	if o.license == "" {
		fmt.Fprintf(out, "next: obtain a license for cluster id %s, then rerun with -license FILE\n", cluster.After.ID)
		return nil
	}
	lic, err := mapr.EnsureLicense(ctx, node, mapr.LicenseSpec{
		Path: o.license, MaprcliPath: filepath.Join(o.maprHome, "bin", "maprcli"), Become: become, CheckMode: o.check,
	})
	report(out, "license", lic.Changed, lic.After.ID, lic.Messages)
	return err
}

func report(out io.Writer, what string, changed bool, id string, messages []string) {
	fmt.Fprintf(out, "%s: changed=%t id=%s\n", what, changed, id)
	for _, m := range messages {
		fmt.Fprintf(out, "  %s\n", m)
	}
}
