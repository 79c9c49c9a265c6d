package mapr

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is a host key that known_hosts does not vouch for: the host
// is unknown, its key changed (which can be a man-in-the-middle attack), or
// the key is revoked. The connection is refused in every case.
type HostKeyError struct {
	// Host is the address as looked up in known_hosts ("[host]:port" when
	// the port is not 22).
	Host       string
	KnownHosts string
	// KeyType and Fingerprint describe the key the server presented.
	KeyType     string
	Fingerprint string
	// Known lists the keys known_hosts holds for Host ("type SHA256:... at
	// file:line"); empty when the host is unknown.
	Known   []string
	Revoked bool
}

// Changed reports a host whose presented key differs from the one on file.
func (e *HostKeyError) Changed() bool { return !e.Revoked && len(e.Known) > 0 }

func (e *HostKeyError) Error() string {
	switch {
	case e.Revoked:
		return fmt.Sprintf("ssh: host key for %s is REVOKED in %s: server presented %s %s; refusing to connect",
			e.Host, e.KnownHosts, e.KeyType, e.Fingerprint)
	case e.Changed():
		return fmt.Sprintf("ssh: host key for %s has CHANGED: server presented %s %s but %s expects %s. "+
			"This can mean a man-in-the-middle attack; refusing to connect. If the host was legitimately "+
			"rebuilt, verify the new fingerprint out of band and replace its line in %s",
			e.Host, e.KeyType, e.Fingerprint, e.KnownHosts, strings.Join(e.Known, ", "), e.KnownHosts)
	default:
		return fmt.Sprintf("ssh: host %s is unknown: no entry in %s; server presented %s %s. "+
			"Verify that fingerprint out of band, then add the host (for example: ssh-keyscan -p PORT HOST >> %s)",
			e.Host, e.KnownHosts, e.KeyType, e.Fingerprint, e.KnownHosts)
	}
}

// hostKeyCallback builds the verifier for cfg: known_hosts, or the explicit
// insecure opt-out, which logs loudly on every connection.
func hostKeyCallback(cfg SSHConfig, log *slog.Logger) (ssh.HostKeyCallback, []string, error) {
	if cfg.InsecureIgnoreHostKey {
		return insecureCallback(log), nil, nil
	}
	path, err := knownHostsPath(cfg.KnownHostsFile)
	if err != nil {
		return nil, nil, err
	}
	cb, err := knownhosts.New(path)
	if err != nil {
		return nil, nil, fmt.Errorf("ssh: reading known_hosts %s: %w", path, err)
	}
	verify := func(host string, remote net.Addr, key ssh.PublicKey) error {
		return explainHostKey(cb(host, remote, key), host, path, key)
	}
	return verify, knownAlgorithms(cb, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.port()))), nil
}

func insecureCallback(log *slog.Logger) ssh.HostKeyCallback {
	return func(host string, _ net.Addr, key ssh.PublicKey) error {
		log.Warn("SSH HOST KEY VERIFICATION IS DISABLED (InsecureIgnoreHostKey): any server, including a "+
			"man-in-the-middle, is accepted and receives the credentials and files sent to it",
			"host", host, "key_type", key.Type(), "fingerprint", ssh.FingerprintSHA256(key))
		return nil
	}
}

func knownHostsPath(p string) (string, error) {
	if p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("ssh: no known_hosts file given and no home directory: %w", err)
	}
	return filepath.Join(home, ".ssh", "known_hosts"), nil
}

// explainHostKey turns knownhosts' errors into a HostKeyError that names the
// host, the presented key's type and fingerprint, and the keys on file.
func explainHostKey(err error, host, file string, key ssh.PublicKey) error {
	if err == nil {
		return nil
	}
	hkErr := &HostKeyError{Host: knownhosts.Normalize(host), KnownHosts: file,
		KeyType: key.Type(), Fingerprint: ssh.FingerprintSHA256(key)}
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case errors.As(err, &revoked):
		hkErr.Revoked = true
	case errors.As(err, &keyErr):
		for _, w := range keyErr.Want {
			hkErr.Known = append(hkErr.Known, fmt.Sprintf("%s %s at %s:%d",
				w.Key.Type(), ssh.FingerprintSHA256(w.Key), w.Filename, w.Line))
		}
	default:
		return fmt.Errorf("ssh: verifying host key of %s: %w", host, err)
	}
	return hkErr
}

// knownAlgorithms returns the host key algorithms known_hosts holds for
// addr, so the handshake asks the server for a key we can verify instead of
// failing on, say, its RSA key when we know its ed25519 one. Asking the
// callback about a throwaway key makes it list what it wants.
func knownAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	probe, err := ssh.NewPublicKey(probeKey)
	if err != nil {
		return nil
	}
	var keyErr *knownhosts.KeyError
	if !errors.As(cb(addr, &net.TCPAddr{}, probe), &keyErr) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, w := range keyErr.Want {
		for _, a := range algorithmsFor(w.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor maps a key type to the signature algorithms that verify it:
// an RSA key signs with SHA-2 in modern servers (OpenSSH ≥ 8.8 refuses
// ssh-rsa/SHA-1).
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// probeKey is a public key no host has (all zero bytes), used only to ask
// known_hosts which key types it holds for an address.
var probeKey = ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
