// Package mapr performs MapR (HPE Ezmeral Data Fabric) node operations
// safely and idempotently: installing a license and bootstrapping a node's
// cluster identity. It is the shared core of the mapr_license/mapr_cluster
// Ansible modules and the Terraform provider "mapr"; those stay thin by
// mapping their options onto LicenseSpec/ClusterSpec and Result's
// Changed/Before/After/Messages onto changed, diff and plan.
//
// # Executors
//
// Operations act through an Executor: SSHExecutor (DialSSH) for a node
// reached from a controller, LocalExecutor for code running on the node
// itself. Both run commands as argument vectors, never as shell strings.
//
//   - Host keys are verified against known_hosts (golang.org/x/crypto/ssh/knownhosts).
//     An unknown host or a changed key is refused with a *HostKeyError naming
//     the host, the key type and the SHA256 fingerprint the server presented.
//     SSHConfig.InsecureIgnoreHostKey accepts any key; it is DANGEROUS (a
//     man-in-the-middle receives credentials and license) and logs a warning
//     on every connection.
//   - Authentication: private key file (optionally encrypted, with
//     Passphrase), ssh-agent (AgentSocket / SSH_AUTH_SOCK), or password.
//   - Over SSH the command line is built by quoting every argument with
//     Quote (single quotes; an embedded quote closes, escapes and reopens),
//     so no caller value is ever interpreted by the remote shell. The remote login shell must be POSIX
//     (sh, bash, dash, ksh, zsh).
//   - Sudo is `sudo -n` (fail rather than prompt), optionally -u USER.
//     Environment variables for a command are set with env(1) after sudo,
//     since sshd and sudo both filter the client's environment.
//   - Timeouts and context cancellation stop the command: locally its process
//     group is signalled; over SSH the session is signalled and, because
//     OpenSSH ignores signal requests on root logins, the command's process
//     group is killed from a second session (a fixed wrapper reports its
//     PID), then the session is closed.
//   - Upload writes a temp file in the target directory (O_EXCL), chmods it
//     0600 before writing, fsyncs, then renames it over the target with
//     posix-rename@openssh.com (remove + rename, logged, when the server
//     lacks it). Identical content is a no-op; the temp file is removed on
//     failure.
//
// # License identity
//
// EnsureLicense lists licenses with `maprcli license list -json` before
// acting and again afterwards to verify. A license is identified by the
// SHA-256 of its text with all whitespace removed (LicenseHash): the same
// signed license re-wrapped or with CRLF line ends is the same license.
// MapR's own id (kept as a string; numeric ids are not passed through
// float64) is reported, and state absent also accepts it. maprcli's JSON is
// parsed forgivingly (ParseEnvelope): leading noise, raw control characters
// and stray backslashes, which MapR's documentation warns about, are
// tolerated; status ERROR is surfaced as a *MaprcliError with maprcli's
// message. Removal uses `maprcli license remove -license_id ID`, the
// documented parameter.
//
// # Cluster identity
//
// EnsureCluster reads clusterid, mapr-clusters.conf and warden.conf. A node
// without them is configured with `configure.sh -N -C -Z` (plus -secure or
// -unsecure, -genkeys, -no-autostart, -R). A node configured with the same
// name, CLDB nodes (as a set), ZooKeeper nodes (in order) and security is
// left alone. Anything else is refused with a *ClusterMismatchError unless
// ForceRegenerate is set; then warden is stopped, the old files are moved
// (never deleted) into a new timestamped backup directory, configure.sh runs
// again, and the result reports the old and new ids. CheckMode predicts
// every outcome without writing.
//
// Tests run against mapr/maprsim, a simulator of maprcli/configure.sh: a
// test double, not MapR.
package mapr
