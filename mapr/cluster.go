package mapr

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Default ports configure.sh appends to nodes given without one.
const (
	DefaultCLDBPort = "7222"
	DefaultZKPort   = "5181"
)

// ClusterSpec is the desired identity of the cluster a node belongs to.
type ClusterSpec struct {
	// Name is the cluster name (configure.sh -N).
	Name string
	// CLDBNodes (-C) and ZKNodes (-Z) are host or host:port entries.
	// CLDB nodes are compared as a set; ZooKeeper nodes in order, because
	// MapR requires the same -Z order on every node.
	CLDBNodes []string
	ZKNodes   []string
	// Secure adds -secure (else -unsecure: MapR 7 defaults to secure, so
	// the choice is always explicit). GenKeys adds -genkeys, for the first
	// CLDB node only.
	Secure  bool
	GenKeys bool
	// NoAutostart adds -no-autostart; Reconfigure adds -R.
	NoAutostart bool
	Reconfigure bool
	// ExtraArgs are further configure.sh arguments (e.g. -u mapr -g mapr),
	// each passed as one quoted argument.
	ExtraArgs []string

	// ForceRegenerate allows replacing an existing, different cluster
	// identity: warden is stopped, the current files are MOVED to a
	// timestamped backup directory (never deleted) and configure.sh runs
	// again. Without it a mismatch is refused.
	ForceRegenerate bool

	// ConfDir defaults to /opt/mapr/conf; ConfigureSh to
	// /opt/mapr/server/configure.sh.
	ConfDir     string
	ConfigureSh string
	// StopWarden is the command that stops warden before a forced
	// regeneration; default: service mapr-warden stop.
	StopWarden []string
	// BackupDir receives the moved files; default
	// <ConfDir>.backup-<UTC timestamp>, beside the conf directory.
	BackupDir string

	Env    map[string]string
	Become Become
	// CheckMode predicts the result without writing anything.
	CheckMode bool
	// CommandTimeout bounds each command; zero uses the executor's default.
	CommandTimeout time.Duration
}

// ClusterState is a node's cluster identity as its files describe it.
type ClusterState struct {
	// Present is true when clusterid or mapr-clusters.conf exists.
	Present bool
	// ID is the cluster id from clusterid: 19 digits, kept as text. Empty
	// when configured but not yet written (MapR writes it when CLDB first
	// starts, so configure.sh -no-autostart leaves it pending).
	ID     string
	Name   string
	Secure bool
	// CLDBNodes come from mapr-clusters.conf, ZKNodes from warden.conf's
	// zookeeper.servers; both with ports filled in.
	CLDBNodes []string
	ZKNodes   []string
}

// ClusterResult is EnsureCluster's outcome. After a forced regeneration
// Before.ID is the old id, After.ID the new one, and BackupDir holds the
// old files.
type ClusterResult struct {
	Result[ClusterState]
	BackupDir string
}

// ClusterMismatchError refuses to reconfigure a node that already belongs
// to a different cluster.
type ClusterMismatchError struct {
	Current     ClusterState
	Differences []string
}

func (e *ClusterMismatchError) Error() string {
	id := e.Current.ID
	if id == "" {
		id = "not yet generated"
	}
	return fmt.Sprintf("cluster: this node is already configured for cluster %q (id %s) and the spec differs: %s. "+
		"Re-running configure.sh would point the node at another cluster, and regenerating the cluster "+
		"identity of a cluster that holds data can make that data unreachable. Nothing was changed. If this "+
		"is really intended, set force_regenerate: warden is stopped and the current files are moved (not "+
		"deleted) to a backup directory first",
		e.Current.Name, id, strings.Join(e.Differences, "; "))
}

// clusterName is what MapR accepts as a cluster name (it becomes a path
// component under /mapr and a token in mapr-clusters.conf).
var clusterName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// nodeAddr is host, host:port or host;ip:port, as mapr-clusters.conf allows.
var nodeAddr = regexp.MustCompile(`^[A-Za-z0-9._\[\]:;-]+$`)

// managedFlags are configure.sh options EnsureCluster sets from the spec.
var managedFlags = []string{"-N", "-C", "-Z", "-secure", "-unsecure", "-genkeys", "-no-autostart", "-R"}

// Validate checks the spec without touching the node.
func (s ClusterSpec) Validate() error {
	if !clusterName.MatchString(s.Name) {
		return fmt.Errorf("cluster: name %q must be letters, digits, '.', '_' or '-'", s.Name)
	}
	if err := validNodes("cldb_nodes", s.CLDBNodes); err != nil {
		return err
	}
	if err := validNodes("zk_nodes", s.ZKNodes); err != nil {
		return err
	}
	if s.GenKeys && !s.Secure {
		return errors.New("cluster: genkeys requires secure")
	}
	for _, a := range s.ExtraArgs {
		if slices.Contains(managedFlags, a) {
			return fmt.Errorf("cluster: extra argument %s is set from the spec's own fields", a)
		}
	}
	for name, p := range map[string]string{"conf_dir": s.ConfDir, "configure_sh": s.ConfigureSh, "backup_dir": s.BackupDir} {
		if p != "" && !path.IsAbs(p) {
			return fmt.Errorf("cluster: %s %q must be an absolute path", name, p)
		}
	}
	return nil
}

func validNodes(field string, nodes []string) error {
	if len(nodes) == 0 {
		return fmt.Errorf("cluster: %s needs at least one node", field)
	}
	for _, n := range nodes {
		if !nodeAddr.MatchString(n) {
			return fmt.Errorf("cluster: %s entry %q is not host, host:port or host;ip:port", field, n)
		}
	}
	return nil
}

func (s ClusterSpec) confDir() string     { return orDefault(s.ConfDir, DefaultConfDir) }
func (s ClusterSpec) configureSh() string { return orDefault(s.ConfigureSh, DefaultConfigureSh) }

func (s ClusterSpec) stopWarden() []string {
	if len(s.StopWarden) > 0 {
		return s.StopWarden
	}
	return []string{"service", "mapr-warden", "stop"}
}

// wanted is the state the spec describes (ID unknown).
func (s ClusterSpec) wanted() ClusterState {
	return ClusterState{Present: true, Name: s.Name, Secure: s.Secure,
		CLDBNodes: withPorts(s.CLDBNodes, DefaultCLDBPort), ZKNodes: withPorts(s.ZKNodes, DefaultZKPort)}
}

// configureArgs is the configure.sh command line for the spec.
func (s ClusterSpec) configureArgs() []string {
	args := []string{"-N", s.Name, "-C", strings.Join(s.CLDBNodes, ","), "-Z", strings.Join(s.ZKNodes, ",")}
	if s.Secure {
		args = append(args, "-secure")
	} else {
		args = append(args, "-unsecure")
	}
	if s.GenKeys {
		args = append(args, "-genkeys")
	}
	if s.NoAutostart {
		args = append(args, "-no-autostart")
	}
	if s.Reconfigure {
		args = append(args, "-R")
	}
	return append(args, s.ExtraArgs...)
}

// EnsureCluster makes the node belong to the cluster the spec names. A node
// without cluster files is configured with configure.sh -N -C -Z; a node
// already configured the same way is left alone; a node configured
// differently is refused (a *ClusterMismatchError) unless ForceRegenerate.
func EnsureCluster(ctx context.Context, exec Executor, spec ClusterSpec) (ClusterResult, error) {
	var res ClusterResult
	if err := spec.Validate(); err != nil {
		return res, err
	}
	n := node{exec: exec, become: spec.Become, env: spec.Env, timeout: spec.CommandTimeout}
	current, notes, err := readCluster(ctx, n, spec.confDir())
	if err != nil {
		return res, err
	}
	res.Messages = append(res.Messages, notes...)
	res.Before, res.After = current, current
	if !current.Present {
		return bootstrapCluster(ctx, n, spec, res)
	}
	diffs := clusterDiff(current, spec.wanted())
	if len(diffs) == 0 {
		res.logf("cluster %q is already configured (id %s); nothing to do", current.Name, orDefault(current.ID, "pending"))
		return res, nil
	}
	if !spec.ForceRegenerate {
		return res, &ClusterMismatchError{Current: current, Differences: diffs}
	}
	return regenerateCluster(ctx, n, spec, diffs, res)
}

func bootstrapCluster(ctx context.Context, n node, spec ClusterSpec, res ClusterResult) (ClusterResult, error) {
	if spec.GenKeys {
		// configure.sh -genkeys refuses existing keys; say so before running it,
		// and in check mode too.
		existing, err := existingKeyFiles(ctx, n, spec.confDir())
		if err != nil {
			return res, err
		}
		if len(existing) > 0 {
			return res, fmt.Errorf("cluster: genkeys requested but %s already holds security files (%s); configure.sh -genkeys "+
				"would refuse them. On a node joining an existing secure cluster copy the keys from the first CLDB node "+
				"and unset genkeys; otherwise move them away first", spec.confDir(), strings.Join(existing, ", "))
		}
	}
	res.Changed = true
	res.After = spec.wanted()
	if spec.CheckMode {
		res.logf("would run %s (check mode)", n.command(spec.configureSh(), spec.configureArgs()...))
		return res, nil
	}
	return configure(ctx, n, spec, res)
}

// configure runs configure.sh and reads back what it wrote.
func configure(ctx context.Context, n node, spec ClusterSpec, res ClusterResult) (ClusterResult, error) {
	if _, err := n.run(ctx, n.command(spec.configureSh(), spec.configureArgs()...)); err != nil {
		if res.BackupDir != "" {
			return res, fmt.Errorf("cluster: configure.sh failed; the previous files are in %s (move them back to %s to restore): %w",
				res.BackupDir, spec.confDir(), err)
		}
		return res, fmt.Errorf("cluster: %w", err)
	}
	after, _, err := readCluster(ctx, n, spec.confDir())
	if err != nil {
		return res, fmt.Errorf("cluster: reading the result of configure.sh: %w", err)
	}
	res.After = after
	if diffs := clusterDiff(after, spec.wanted()); len(diffs) > 0 {
		return res, fmt.Errorf("cluster: configure.sh succeeded but the files disagree with the spec: %s", strings.Join(diffs, "; "))
	}
	if after.ID == "" {
		res.logf("configured cluster %q; clusterid is not written yet (MapR writes it when CLDB first starts)", after.Name)
	} else {
		res.logf("configured cluster %q with id %s", after.Name, after.ID)
	}
	return res, nil
}

func regenerateCluster(ctx context.Context, n node, spec ClusterSpec, diffs []string, res ClusterResult) (ClusterResult, error) {
	res.Changed = true
	res.After = spec.wanted()
	backup := spec.BackupDir
	if backup == "" {
		backup = spec.confDir() + ".backup-" + time.Now().UTC().Format("20060102T150405Z")
	}
	moving, err := filesToMove(ctx, n, spec)
	if err != nil {
		return res, err
	}
	res.logf("force_regenerate: the spec differs from the current cluster (%s)", strings.Join(diffs, "; "))
	if spec.CheckMode {
		res.logf("would stop warden (%s), move %s to %s, and run %s (check mode)",
			strings.Join(spec.stopWarden(), " "), strings.Join(moving, ", "), backup,
			n.command(spec.configureSh(), spec.configureArgs()...))
		return res, nil
	}
	if _, err := n.run(ctx, n.plain(spec.stopWarden()[0], spec.stopWarden()[1:]...)); err != nil {
		return res, fmt.Errorf("cluster: stopping warden before regenerating (nothing was moved): %w", err)
	}
	if err := backupFiles(ctx, n, spec, moving, backup); err != nil {
		return res, err
	}
	res.BackupDir = backup
	res.logf("stopped warden and moved %s to %s", strings.Join(moving, ", "), backup)
	res, err = configure(ctx, n, spec, res)
	if err == nil {
		res.logf("regenerated cluster identity: old id %s, new id %s",
			orDefault(res.Before.ID, "none"), orDefault(res.After.ID, "pending"))
	}
	return res, err
}

// keyFiles are what configure.sh -genkeys creates and refuses to overwrite
// (HPE's "Enabling Security" list); moved aside only when GenKeys asks for
// new ones.
var keyFiles = []string{"cldb.key", "maprserverticket", "ssl_keystore*", "ssl_truststore*",
	"maprkeycreds.*", "maprtrustcreds.*", "maprhsm.conf", "tokens"}

// filesToMove lists, under ConfDir, the cluster identity files and (with
// GenKeys) the security files that exist.
func filesToMove(ctx context.Context, n node, spec ClusterSpec) ([]string, error) {
	names, err := n.list(ctx, spec.confDir())
	if err != nil {
		return nil, fmt.Errorf("cluster: listing %s: %w", spec.confDir(), err)
	}
	patterns := []string{"clusterid", "mapr-clusters.conf"}
	if spec.GenKeys {
		patterns = append(patterns, keyFiles...)
	}
	return matching(names, patterns), nil
}

func existingKeyFiles(ctx context.Context, n node, confDir string) ([]string, error) {
	names, err := n.list(ctx, confDir)
	if err != nil {
		return nil, fmt.Errorf("cluster: listing %s: %w", confDir, err)
	}
	return matching(names, keyFiles), nil
}

func matching(names, patterns []string) []string {
	var out []string
	for _, name := range names {
		for _, p := range patterns {
			if ok, _ := path.Match(p, name); ok {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// backupFiles moves the files into a fresh backup directory and copies
// warden.conf there too (configure.sh rewrites it in place).
func backupFiles(ctx context.Context, n node, spec ClusterSpec, moving []string, backup string) error {
	if err := n.makePrivateDir(ctx, backup); err != nil {
		return fmt.Errorf("cluster: creating backup directory (nothing was moved; warden is stopped): %w", err)
	}
	if ok, err := n.exists(ctx, path.Join(spec.confDir(), "warden.conf")); err == nil && ok {
		if err := n.copyInto(ctx, path.Join(spec.confDir(), "warden.conf"), backup); err != nil {
			return fmt.Errorf("cluster: copying warden.conf to %s: %w", backup, err)
		}
	}
	for i, name := range moving {
		if err := n.move(ctx, path.Join(spec.confDir(), name), backup); err != nil {
			return fmt.Errorf("cluster: moving %s to %s (already moved: %s; warden is stopped): %w",
				name, backup, strings.Join(moving[:i], ", "), err)
		}
	}
	return nil
}

// ReadCluster reports the node's cluster identity without changing
// anything; only ConfDir and Become of spec are used. It serves reads and
// imports (a Terraform provider importing an existing cluster by host).
func ReadCluster(ctx context.Context, exec Executor, spec ClusterSpec) (ClusterState, error) {
	n := node{exec: exec, become: spec.Become, env: spec.Env, timeout: spec.CommandTimeout}
	st, _, err := readCluster(ctx, n, spec.confDir())
	return st, err
}

// readCluster reads clusterid, mapr-clusters.conf and warden.conf.
func readCluster(ctx context.Context, n node, confDir string) (ClusterState, []string, error) {
	var st ClusterState
	var notes []string
	id, hasID, err := n.readFile(ctx, path.Join(confDir, "clusterid"))
	if err != nil {
		return st, nil, fmt.Errorf("cluster: reading clusterid: %w", err)
	}
	conf, hasConf, err := n.readFile(ctx, path.Join(confDir, "mapr-clusters.conf"))
	if err != nil {
		return st, nil, fmt.Errorf("cluster: reading mapr-clusters.conf: %w", err)
	}
	st.Present = hasID || hasConf
	if hasID {
		st.ID = firstLine(string(id))
		if !isClusterID(st.ID) {
			notes = append(notes, fmt.Sprintf("clusterid holds %q, which is not the usual 19-digit id", st.ID))
		}
	}
	if hasConf {
		if err := parseClustersConf(string(conf), &st); err != nil {
			return st, nil, err
		}
	}
	warden, hasWarden, err := n.readFile(ctx, path.Join(confDir, "warden.conf"))
	if err != nil {
		return st, nil, fmt.Errorf("cluster: reading warden.conf: %w", err)
	}
	if hasWarden {
		st.ZKNodes = withPorts(wardenZK(string(warden)), DefaultZKPort)
	}
	if st.Present && st.ZKNodes == nil {
		notes = append(notes, "warden.conf has no zookeeper.servers; ZooKeeper nodes were not compared")
	}
	return st, notes, nil
}

// parseClustersConf reads the first cluster line of mapr-clusters.conf
// (this node's cluster; further lines name other clusters):
// <name> [secure=true|false] [key=value ...] <cldb> <cldb> ...
func parseClustersConf(conf string, st *ClusterState) error {
	for _, line := range strings.Split(conf, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		st.Name = fields[0]
		for _, f := range fields[1:] {
			if k, v, ok := strings.Cut(f, "="); ok {
				if k == "secure" {
					st.Secure = strings.EqualFold(v, "true")
				}
				continue
			}
			st.CLDBNodes = append(st.CLDBNodes, f)
		}
		st.CLDBNodes = withPorts(st.CLDBNodes, DefaultCLDBPort)
		return nil
	}
	return errors.New("cluster: mapr-clusters.conf has no cluster line")
}

// ParseClustersConf reads the local cluster (the first line) of a
// mapr-clusters.conf.
func ParseClustersConf(conf string) (ClusterState, error) {
	st := ClusterState{Present: true}
	err := parseClustersConf(conf, &st)
	return st, err
}

func wardenZK(conf string) []string {
	for _, line := range strings.Split(conf, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.TrimSpace(k) == "zookeeper.servers" {
			var nodes []string
			for _, n := range strings.Split(v, ",") {
				if n = strings.TrimSpace(n); n != "" {
					nodes = append(nodes, n)
				}
			}
			return nodes
		}
	}
	return nil
}

// withPorts appends the default port to entries without one, as
// configure.sh does when it writes the files.
func withPorts(nodes []string, port string) []string {
	if nodes == nil {
		return nil
	}
	out := make([]string, len(nodes))
	for i, n := range nodes {
		n = strings.TrimSpace(n)
		if !hasPort(n) {
			n += ":" + port
		}
		out[i] = n
	}
	return out
}

// hasPort reports whether a node entry (host, host:port, host;ip:port,
// [v6]:port) names a port.
func hasPort(n string) bool {
	if _, addr, ok := strings.Cut(n, ";"); ok {
		n = addr
	}
	if strings.HasPrefix(n, "[") {
		return strings.Contains(n, "]:")
	}
	return strings.Count(n, ":") == 1
}

// clusterDiff lists how current differs from wanted, in words.
func clusterDiff(current, wanted ClusterState) []string {
	var diffs []string
	if current.Name != wanted.Name {
		diffs = append(diffs, fmt.Sprintf("name %q, want %q", current.Name, wanted.Name))
	}
	if current.Name == "" && current.ID != "" {
		diffs = append(diffs, "clusterid exists but mapr-clusters.conf does not")
	}
	if current.Secure != wanted.Secure {
		diffs = append(diffs, fmt.Sprintf("secure=%t, want secure=%t", current.Secure, wanted.Secure))
	}
	if !sameSet(current.CLDBNodes, wanted.CLDBNodes) {
		diffs = append(diffs, fmt.Sprintf("CLDB nodes %s, want %s", strings.Join(current.CLDBNodes, ","), strings.Join(wanted.CLDBNodes, ",")))
	}
	if current.ZKNodes != nil && !slices.Equal(current.ZKNodes, wanted.ZKNodes) {
		diffs = append(diffs, fmt.Sprintf("ZooKeeper nodes %s, want %s (order matters)", strings.Join(current.ZKNodes, ","), strings.Join(wanted.ZKNodes, ",")))
	}
	return diffs
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// isClusterID reports the documented shape: 19 decimal digits (an int64
// that float64 cannot hold exactly, hence text everywhere).
func isClusterID(s string) bool {
	if len(s) != 19 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
