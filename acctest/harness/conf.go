package harness

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultReadyTimeout bounds how long StartGatewayd waits for /status/ready.
const DefaultReadyTimeout = 15 * time.Second

// Options configure StartGatewayd. The zero value runs gatewayd on SQLite in a fresh prefix.
type Options struct {
	// Database is "sqlite" (default), "postgres" or "off".
	Database string

	// PGDSN, when set, fills whichever PG* fields are empty. Both URL form
	// (postgres://user:pass@host:port/db) and key=value form (host=... port=...) are accepted.
	PGDSN      string
	PGHost     string
	PGPort     int
	PGUser     string
	PGPassword string
	PGDatabase string

	// Extra holds more gatewayd.conf keys. They override the generated ones; the harness
	// URLs still point at the generated ports, so override *_listen keys knowingly.
	// An admin_token here is sent as a bearer token by AdminDo and AdminJSON.
	Extra map[string]string

	// Env is added to the daemon's environment ("KEY=value"). The test process's own
	// GATEWAYD_* variables are not passed on, so a developer's shell cannot change a test.
	Env []string

	// Bin is the gatewayd binary to run; default BuildGatewayd(t).
	Bin string
	// Prefix is the gatewayd prefix directory; default a fresh t.TempDir().
	Prefix string
	// ReadyTimeout bounds the wait for GET /status/ready to answer 200; default 15 s.
	ReadyTimeout time.Duration
}

// Ports are the loopback ports a gatewayd listens on.
type Ports struct {
	Proxy, ProxyTLS, Admin, Status int
}

var confKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ConfFor returns the gatewayd.conf keys for a daemon in prefix listening on ports.
func ConfFor(prefix string, ports Ports, o Options) (map[string]string, error) {
	if err := o.fillFromDSN(); err != nil {
		return nil, err
	}
	db := o.Database
	if db == "" {
		db = "sqlite"
	}
	switch db {
	case "sqlite", "postgres", "off":
	default:
		return nil, fmt.Errorf("database %q: want sqlite, postgres or off", o.Database)
	}
	kv := map[string]string{
		"prefix":        prefix,
		"database":      db,
		"proxy_listen":  fmt.Sprintf("127.0.0.1:%d, 127.0.0.1:%d ssl", ports.Proxy, ports.ProxyTLS),
		"admin_listen":  fmt.Sprintf("127.0.0.1:%d", ports.Admin),
		"status_listen": fmt.Sprintf("127.0.0.1:%d", ports.Status),
	}
	if db == "postgres" {
		set := func(k, v string) {
			if v != "" {
				kv[k] = v
			}
		}
		set("pg_host", o.PGHost)
		if o.PGPort != 0 {
			kv["pg_port"] = strconv.Itoa(o.PGPort)
		}
		set("pg_user", o.PGUser)
		set("pg_password", o.PGPassword)
		set("pg_database", o.PGDatabase)
	}
	for k, v := range o.Extra {
		kv[k] = v
	}
	return kv, nil
}

// fillFromDSN copies what PGDSN says into the PG* fields that are still empty.
func (o *Options) fillFromDSN() error {
	if o.PGDSN == "" {
		return nil
	}
	var host, port, user, password, dbname string
	if strings.HasPrefix(o.PGDSN, "postgres://") || strings.HasPrefix(o.PGDSN, "postgresql://") {
		u, err := url.Parse(o.PGDSN)
		if err != nil {
			return fmt.Errorf("PGDSN: %w", err)
		}
		host, port = u.Hostname(), u.Port()
		if u.User != nil {
			user = u.User.Username()
			password, _ = u.User.Password()
		}
		dbname = strings.TrimPrefix(u.Path, "/")
		q := u.Query()
		if h := q.Get("host"); h != "" && host == "" {
			host = h
		}
		if p := q.Get("port"); p != "" && port == "" {
			port = p
		}
	} else {
		pairs, err := parseKeywordDSN(o.PGDSN)
		if err != nil {
			return fmt.Errorf("PGDSN: %w", err)
		}
		for _, kv := range pairs {
			k, v := kv[0], kv[1]
			switch k {
			case "host":
				host = v
			case "port":
				port = v
			case "user":
				user = v
			case "password":
				password = v
			case "dbname":
				dbname = v
			}
		}
	}
	if o.PGHost == "" {
		o.PGHost = host
	}
	if o.PGPort == 0 && port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("PGDSN: bad port %q", port)
		}
		o.PGPort = p
	}
	if o.PGUser == "" {
		o.PGUser = user
	}
	if o.PGPassword == "" {
		o.PGPassword = password
	}
	if o.PGDatabase == "" {
		o.PGDatabase = dbname
	}
	return nil
}

// parseKeywordDSN splits libpq's keyword/value form: `host=/tmp port=5432 password='a b'`,
// where a value may be single-quoted with \' and \\ escapes, and spaces may surround "=".
func parseKeywordDSN(s string) ([][2]string, error) {
	var out [][2]string
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
	}
	for {
		skipSpace()
		if i >= len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' {
			i++
		}
		key := s[start:i]
		skipSpace()
		if i >= len(s) || s[i] != '=' {
			return nil, fmt.Errorf("%q is not followed by =", key)
		}
		i++
		skipSpace()
		var val strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				i++
				if c == '\\' && i < len(s) {
					val.WriteByte(s[i])
					i++
					continue
				}
				if c == '\'' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted value for %s", key)
			}
		} else {
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
		}
		out = append(out, [2]string{key, val.String()})
	}
}

// RenderConf formats keys as a kong.conf-style file: one `key = value` per line, sorted by
// key, with "#" in values escaped as "\#" (an unescaped "#" starts a comment).
func RenderConf(kv map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteString("# written by acctest/harness for one test; edits are lost\n")
	for _, k := range keys {
		v := kv[k]
		if !confKeyRE.MatchString(k) {
			return nil, fmt.Errorf("conf key %q: want lower-case letters, digits and _", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("conf key %s: value contains a line break", k)
		}
		fmt.Fprintf(&b, "%s = %s\n", k, strings.ReplaceAll(v, "#", `\#`))
	}
	return b.Bytes(), nil
}

// WriteConf writes kv to path as RenderConf formats it, readable only by its owner
// (it may hold a database password or admin token).
func WriteConf(path string, kv map[string]string) error {
	data, err := RenderConf(kv)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func loopbackURL(scheme string, port int) string {
	return scheme + "://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}
