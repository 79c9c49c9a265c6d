package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"strings"
)

// configureOpts are the configure.sh options maprsim understands.
type configureOpts struct {
	name, cldb, zk             string
	secure, unsecure, genkeys  bool
	noAutostart, reconfigure   bool
	ignoredWithValue, ignoredF []string
}

// valueFlags take an argument; maprsim records but otherwise ignores the
// ones that do not affect cluster identity (-u, -g, -L, -HS, -RM, -K -P ...).
var valueFlags = map[string]bool{"-N": true, "-C": true, "-Z": true, "-u": true, "-g": true,
	"-L": true, "-HS": true, "-RM": true, "-P": true, "-TL": true, "-ES": true, "-OT": true, "-QS": true}

var boolFlags = map[string]bool{"-secure": true, "-unsecure": true, "-genkeys": true, "-no-autostart": true,
	"-R": true, "-dare": true, "-f": true, "-c": true, "--isvm": true, "-K": true, "-v": true}

func parseConfigure(args []string) (configureOpts, error) {
	var o configureOpts
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case valueFlags[a]:
			if i+1 >= len(args) || strings.HasPrefix(args[i+1], "-") {
				return o, fmt.Errorf("option %s requires an argument", a)
			}
			v := args[i+1]
			i++
			switch a {
			case "-N":
				o.name = v
			case "-C":
				o.cldb = v
			case "-Z":
				o.zk = v
			default:
				o.ignoredWithValue = append(o.ignoredWithValue, a+" "+v)
			}
		case boolFlags[a]:
			switch a {
			case "-secure":
				o.secure = true
			case "-unsecure":
				o.unsecure = true
			case "-genkeys":
				o.genkeys = true
			case "-no-autostart":
				o.noAutostart = true
			case "-R":
				o.reconfigure = true
			default:
				o.ignoredF = append(o.ignoredF, a)
			}
		default:
			return o, fmt.Errorf("unknown option %q", a)
		}
	}
	switch {
	case o.secure && o.unsecure:
		return o, fmt.Errorf("-secure and -unsecure are mutually exclusive")
	case o.genkeys && !o.secure:
		return o, fmt.Errorf("-genkeys requires -secure")
	case !o.reconfigure && (o.cldb == "" || o.zk == ""):
		return o, fmt.Errorf("-C and -Z are required (or -R to reuse the previous configuration)")
	}
	return o, nil
}

// securityFiles are the files -genkeys creates and refuses to overwrite.
var securityFiles = []string{"cldb.key", "maprserverticket", "ssl_keystore", "ssl_truststore"}

// configure emulates configure.sh: it (re)writes mapr-clusters.conf and
// warden.conf, generates keys with -genkeys, and starts warden unless
// -no-autostart; warden's first start writes clusterid, as CLDB does.
func (s *sim) configure(args []string) int {
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h") {
		fmt.Fprint(s.stdout, banner+"\nusage: configure.sh -N NAME -C CLDB[,..] -Z ZK[,..] [-secure|-unsecure] [-genkeys] [-no-autostart] [-R]\n")
		return 0
	}
	o, err := parseConfigure(args)
	if err != nil {
		fmt.Fprintf(s.stderr, "configure.sh: %v\n", err)
		return 1
	}
	unlock, err := s.lock()
	if err != nil {
		fmt.Fprintf(s.stderr, "configure.sh: %v\n", err)
		return 1
	}
	defer unlock()
	if err := s.applyConfigure(o); err != nil {
		fmt.Fprintf(s.stderr, "configure.sh: ERROR: %v\n", err)
		return 1
	}
	return 0
}

func (s *sim) applyConfigure(o configureOpts) error {
	prevName, prevSecure, prevCLDB := s.previousCluster()
	if o.reconfigure && o.cldb == "" {
		if prevName == "" {
			return fmt.Errorf("-R needs an existing configuration, but %s does not exist", s.conf("mapr-clusters.conf"))
		}
		o.name, o.cldb = orDefault(o.name, prevName), strings.Join(prevCLDB, ",")
		o.secure = o.secure || (prevSecure && !o.unsecure)
		o.zk = s.previousZK()
	}
	o.name = orDefault(o.name, "my.cluster.com")
	if err := s.securityFiles(o); err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "Configuring node for cluster %s (maprsim test double)\n", o.name)
	if err := s.writeClustersConf(o); err != nil {
		return err
	}
	if err := s.writeWardenConf(o); err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "Node setup configuration: cldb fileserver webserver zookeeper\n")
	if o.noAutostart {
		fmt.Fprintln(s.stdout, "-no-autostart given: not starting warden")
		return nil
	}
	return s.startWarden()
}

func (s *sim) securityFiles(o configureOpts) error {
	var present []string
	for _, f := range securityFiles {
		if exists(s.conf(f)) {
			present = append(present, f)
		}
	}
	switch {
	case o.genkeys && len(present) > 0:
		return fmt.Errorf("security files already exist in %s (%s); -genkeys will not overwrite them. "+
			"Remove them first, or copy them from the first CLDB node and rerun without -genkeys",
			s.conf(""), strings.Join(present, ", "))
	case o.genkeys:
		for _, f := range securityFiles {
			if err := writeFile(s.conf(f), randomHex(32)+"\n", 0o600); err != nil {
				return err
			}
		}
		fmt.Fprintln(s.stdout, "Generated cldb.key, maprserverticket, ssl_keystore and ssl_truststore")
	case o.secure && len(present) < len(securityFiles):
		return fmt.Errorf("secure cluster but security files are missing from %s: copy %s from the CLDB node where -genkeys ran",
			s.conf(""), strings.Join(securityFiles, ", "))
	}
	return nil
}

// writeClustersConf rewrites this cluster's line and keeps other clusters'
// lines. A new cluster name goes first: the first line is the local cluster.
func (s *sim) writeClustersConf(o configureOpts) error {
	line := fmt.Sprintf("%s secure=%t %s", o.name, o.secure, strings.Join(ports(strings.Split(o.cldb, ","), "7222"), " "))
	old, err := readOptional(s.conf("mapr-clusters.conf"))
	if err != nil {
		return err
	}
	lines := []string{line}
	for _, l := range strings.Split(old, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] == o.name {
			continue
		}
		lines = append(lines, l)
	}
	return writeFile(s.conf("mapr-clusters.conf"), strings.Join(lines, "\n")+"\n", 0o644)
}

// writeWardenConf sets zookeeper.servers, keeping the other settings.
func (s *sim) writeWardenConf(o configureOpts) error {
	old, err := readOptional(s.conf("warden.conf"))
	if err != nil {
		return err
	}
	if old == "" {
		old = "service.command.mfs.heapsize.percent=35\nservice.command.cldb.heapsize.percent=8\nisDB=true\n"
	}
	zk := "zookeeper.servers=" + strings.Join(ports(strings.Split(o.zk, ","), "5181"), ",")
	var lines []string
	replaced := false
	for _, l := range strings.Split(strings.TrimRight(old, "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "zookeeper.servers=") {
			l, replaced = zk, true
		}
		lines = append(lines, l)
	}
	if !replaced {
		lines = append(lines, zk)
	}
	return writeFile(s.conf("warden.conf"), strings.Join(lines, "\n")+"\n", 0o644)
}

func (s *sim) previousCluster() (name string, secure bool, cldb []string) {
	conf, _ := readOptional(s.conf("mapr-clusters.conf"))
	f := strings.Fields(firstLine(conf))
	if len(f) == 0 {
		return "", false, nil
	}
	for _, x := range f[1:] {
		if k, v, ok := strings.Cut(x, "="); ok {
			secure = secure || (k == "secure" && v == "true")
			continue
		}
		cldb = append(cldb, x)
	}
	return f[0], secure, cldb
}

func (s *sim) previousZK() string {
	conf, _ := readOptional(s.conf("warden.conf"))
	for _, l := range strings.Split(conf, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "zookeeper.servers="); ok {
			return v
		}
	}
	return ""
}

// ports appends the default port where an entry has none.
func ports(nodes []string, port string) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		addr := n
		if _, a, ok := strings.Cut(n, ";"); ok {
			addr = a
		}
		if !strings.Contains(addr, ":") {
			n += ":" + port
		}
		out = append(out, n)
	}
	return out
}

// newClusterID returns 19 random decimal digits (first one non-zero), the
// shape of MapR's ids: an int64, too large for a float64 to hold exactly.
func newClusterID() (string, error) {
	lo := big.NewInt(1_000_000_000_000_000_000)
	span := new(big.Int).Sub(big.NewInt(9_223_372_036_854_775_807), lo)
	n, err := rand.Int(rand.Reader, span)
	if err != nil {
		return "", err
	}
	return n.Add(n, lo).String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// wardenRunning reports the simulated warden state.
func (s *sim) wardenRunning() bool {
	b, _ := os.ReadFile(s.state("warden"))
	return strings.TrimSpace(string(b)) == "running"
}
