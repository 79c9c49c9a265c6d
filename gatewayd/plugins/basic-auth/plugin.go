// Package basicauth is Kong's basic-auth plugin: it authenticates a request
// by the username and password of an HTTP Basic Authorization (or
// Proxy-Authorization) header, checked against basicauth_credentials.
package basicauth

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "basic-auth"
	Priority = 1100
)

const (
	msgUnauthorized = "Unauthorized"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Authenticate consumers with HTTP Basic credentials (username and password).",
		Config:      configFields(),
		NoConsumer:  true,
		Entities:    []*schema.Entity{Credentials()},
		Shared:      buildIndex,
		New:         New,
	})
}

// credential is one indexed username, built once per snapshot.
type credential struct {
	cred       plugin.Credential
	consumer   *plugin.Consumer
	consumerID string
	hash       []byte // stored hex hash
}

type index map[string]*credential

// buildIndex is Spec.Shared: the username index every basic-auth instance
// of a snapshot shares.
func buildIndex(d *plugin.Data) (any, error) {
	idx := make(index, len(d.Docs(EntityName)))
	for c := range d.Credentials(EntityName) {
		username, _ := c.Doc["username"].(string)
		password, _ := c.Doc["password"].(string)
		if username == "" || c.Consumer == nil {
			continue
		}
		idx[username] = &credential{consumer: c.Consumer, consumerID: c.ConsumerID, hash: []byte(password),
			cred: plugin.Credential{ID: c.ID, ConsumerID: c.ConsumerID, Identifier: username}}
	}
	return idx, nil
}

// BasicAuth is one compiled basic-auth config.
type BasicAuth struct {
	hide            bool
	anonymous       plugin.Anonymous
	wwwAuthenticate string
	index           index
}

// New compiles a validated config.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	b := &BasicAuth{hide: cfg["hide_credentials"] == true}
	anon, _ := cfg["anonymous"].(string)
	b.anonymous = plugin.Anonymous(anon)
	realm, ok := cfg["realm"].(string)
	if !ok {
		realm = "service"
	}
	b.wwwAuthenticate = `Basic realm="` + realm + `"`
	b.index, _ = env.Shared.(index)
	if b.index == nil && env.Data != nil {
		v, _ := buildIndex(env.Data)
		b.index = v.(index)
	}
	return b, nil
}

const (
	hdrAuthorization      = "Authorization"
	hdrProxyAuthorization = "Proxy-Authorization"
)

// Access authenticates the request (Kong's basic-auth access.execute).
func (b *BasicAuth) Access(c *plugin.Context) {
	if b.anonymous.Satisfied(c) {
		return
	}
	if !b.authenticate(c) && !b.anonymous.Fallback(c) {
		c.Error(401, msgUnauthorized, "WWW-Authenticate", b.wwwAuthenticate)
	}
}

// authenticate checks Proxy-Authorization, then Authorization when the
// first yields no known username, as Kong does. With hide_credentials,
// each header it parses is removed.
func (b *BasicAuth) authenticate(c *plugin.Context) bool {
	proxyAuth := c.Header(hdrProxyAuthorization)
	auth := c.Header(hdrAuthorization)
	if len(proxyAuth) == 0 && len(auth) == 0 {
		return false
	}
	var (
		match    *credential
		password []byte
		buf      [256]byte
	)
	if len(proxyAuth) > 0 {
		match, password = b.lookup(proxyAuth, buf[:0])
		if b.hide {
			c.DelHeader(hdrProxyAuthorization)
		}
	}
	if match == nil && len(auth) > 0 {
		match, password = b.lookup(auth, buf[:0])
		if b.hide {
			c.DelHeader(hdrAuthorization)
		}
	}
	if match == nil || !match.verify(password) {
		return false
	}
	c.Authenticate(match.consumer, &match.cred)
	return true
}

// lookup parses a Basic header value and returns the credential of its
// username and the given password (decoded into dst).
func (b *BasicAuth) lookup(header, dst []byte) (*credential, []byte) {
	username, password, ok := parseBasic(header, dst)
	if !ok {
		return nil, nil
	}
	return b.index[string(username)], password
}

// verify compares Kong's hash of the given password with the stored one.
func (e *credential) verify(password []byte) bool {
	var in [512]byte
	data := append(append(in[:0], password...), e.consumerID...)
	sum := sha1.Sum(data)
	var hexSum [2 * sha1.Size]byte
	hex.Encode(hexSum[:], sum[:])
	return subtle.ConstantTimeCompare(hexSum[:], e.hash) == 1
}

// parseBasic extracts user and password the way Kong's basic-auth does:
// the first "Basic"/"basic" in the value, optional whitespace, then
// base64 (decoded like ngx.decode_base64: padding optional, anything from
// the first "=" ignored) of "user:password", where the username is the
// first run of characters other than ":" that is followed by one, and the
// password runs to the end of the line.
func parseBasic(v, dst []byte) (user, password []byte, ok bool) {
	i := indexBasic(v)
	if i < 0 {
		return nil, nil, false
	}
	rest := v[i+len("basic"):]
	j := 0
	for j < len(rest)-1 && isSpace(rest[j]) {
		j++
	}
	rest = rest[j:]
	for k, ch := range rest {
		if ch == '\n' {
			rest = rest[:k]
			break
		}
		if ch == '=' {
			rest = rest[:k]
			break
		}
	}
	if len(rest)%4 == 1 {
		return nil, nil, false
	}
	n := base64.RawStdEncoding.DecodedLen(len(rest))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := base64.RawStdEncoding.Decode(dst, rest)
	if err != nil {
		return nil, nil, false
	}
	decoded := dst[:m]
	// ([^:]+):(.*) — unanchored: leading colons cannot start the user.
	s := 0
	for s < len(decoded) && decoded[s] == ':' {
		s++
	}
	decoded = decoded[s:]
	colon := -1
	for k, ch := range decoded {
		if ch == ':' {
			colon = k
			break
		}
	}
	if colon <= 0 {
		return nil, nil, false
	}
	user, password = decoded[:colon], decoded[colon+1:]
	for k, ch := range password {
		if ch == '\n' {
			password = password[:k]
			break
		}
	}
	return user, password, true
}

// indexBasic finds the first "Basic" or "basic" followed by at least one
// character (the regex \s*[Bb]asic\s*(.+)).
func indexBasic(v []byte) int {
	for i := 0; i+5 < len(v); i++ {
		if (v[i] == 'B' || v[i] == 'b') && v[i+1] == 'a' && v[i+2] == 's' && v[i+3] == 'i' && v[i+4] == 'c' && v[i+5] != '\n' {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
