package mapr

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// authMethods returns the configured methods in the order OpenSSH tries
// them: private key file, agent, password. The returned closer releases the
// agent connection, if one was opened.
func authMethods(cfg SSHConfig) ([]ssh.AuthMethod, func(), error) {
	var methods []ssh.AuthMethod
	closer := func() {}
	if cfg.PrivateKeyFile != "" || len(cfg.PrivateKey) > 0 {
		signer, err := loadSigner(cfg)
		if err != nil {
			return nil, closer, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if sock := agentSocket(cfg); sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, closer, fmt.Errorf("ssh: connecting to ssh-agent at %s: %w", sock, err)
		}
		closer = func() { _ = conn.Close() }
		methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	if cfg.Password != "" {
		methods = append(methods, ssh.Password(cfg.Password),
			// Servers configured for PAM ask the password as keyboard-interactive.
			ssh.KeyboardInteractive(passwordChallenge(cfg.Password)))
	}
	if len(methods) == 0 {
		return nil, closer, errors.New("ssh: no authentication method: set a private key, a password, " +
			"or use an ssh-agent (SSH_AUTH_SOCK)")
	}
	return methods, closer, nil
}

// agentSocket is the agent to use: the explicit socket, or SSH_AUTH_SOCK when
// UseAgent is set or nothing else is configured (what ssh(1) does).
func agentSocket(cfg SSHConfig) string {
	if cfg.AgentSocket != "" {
		return cfg.AgentSocket
	}
	nothingElse := cfg.PrivateKeyFile == "" && len(cfg.PrivateKey) == 0 && cfg.Password == ""
	if cfg.UseAgent || nothingElse {
		return os.Getenv("SSH_AUTH_SOCK")
	}
	return ""
}

func loadSigner(cfg SSHConfig) (ssh.Signer, error) {
	pem := cfg.PrivateKey
	what := "private key"
	if len(pem) == 0 {
		what = "private key " + cfg.PrivateKeyFile
		b, err := os.ReadFile(cfg.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("ssh: reading %s: %w", what, err)
		}
		pem = b
	}
	var signer ssh.Signer
	var err error
	if cfg.Passphrase != "" {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(cfg.Passphrase))
	} else {
		signer, err = ssh.ParsePrivateKey(pem)
	}
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("ssh: %s is encrypted: set a passphrase", what)
	}
	if err != nil {
		return nil, fmt.Errorf("ssh: parsing %s: %w", what, err)
	}
	return signer, nil
}

// passwordChallenge answers every keyboard-interactive prompt with the
// password, as PAM's single "Password:" prompt expects.
func passwordChallenge(password string) ssh.KeyboardInteractiveChallenge {
	return func(_, _ string, questions []string, _ []bool) ([]string, error) {
		answers := make([]string, len(questions))
		for i := range answers {
			answers[i] = password
		}
		return answers, nil
	}
}
