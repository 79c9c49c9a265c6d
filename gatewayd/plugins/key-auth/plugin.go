// Package keyauth is Kong's key-auth plugin: it authenticates a request by
// an API key sent in a header, a query argument or the body, mapped to a
// consumer through keyauth_credentials.
package keyauth

import (
	"bytes"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "key-auth"
	Priority = 1250
)

// Kong's messages (kong/plugins/key-auth/handler.lua, 3.9).
const (
	msgNoKey     = "No API key found in request"
	msgDuplicate = "Duplicate API key found"
	msgInvalid   = "Unauthorized"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Authenticate consumers with API keys sent in a header, query argument or body field.",
		Config:      configFields(),
		NoConsumer:  true,
		Entities:    []*schema.Entity{Credentials()},
		Shared:      buildIndex,
		New:         New,
		// Reads ids only, never the stored entity documents.
		NoEntityDocs: true,
	})
}

// credential is one indexed key: the credential and its consumer, built
// once per configuration snapshot.
type credential struct {
	cred     plugin.Credential
	consumer *plugin.Consumer
	// expiresAt is the ttl expiry in Unix seconds; 0 never expires.
	expiresAt float64
}

// index maps API keys to credentials.
type index map[string]*credential

// buildIndex is Spec.Shared: every key-auth instance of a snapshot shares
// one key index.
func buildIndex(d *plugin.Data) (any, error) {
	idx := make(index, len(d.Docs(EntityName)))
	for c := range d.Credentials(EntityName) {
		key, _ := c.Doc["key"].(string)
		if key == "" || c.Consumer == nil {
			continue
		}
		e := &credential{consumer: c.Consumer,
			cred: plugin.Credential{ID: c.ID, ConsumerID: c.ConsumerID, Identifier: c.ID}}
		if exp, ok := c.Doc[ExpiresAtKey].(float64); ok {
			e.expiresAt = exp
			e.cred.ExpiresAt = int64(exp)
		}
		idx[key] = e
	}
	return idx, nil
}

// keyName is one of key_names; alt is the name with underscores replaced
// by hyphens, which nginx's header table also answers to.
type keyName struct{ name, alt string }

// KeyAuth is one compiled key-auth config.
type KeyAuth struct {
	names                                      []keyName
	hide, inHeader, inQuery, inBody, preflight bool
	anonymous                                  plugin.Anonymous
	wwwAuthenticate                            string
	index                                      index
	host                                       *plugin.Host
}

// New compiles a validated config.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	k := &KeyAuth{
		hide:      cfg["hide_credentials"] == true,
		inHeader:  cfg["key_in_header"] != false,
		inQuery:   cfg["key_in_query"] != false,
		inBody:    cfg["key_in_body"] == true,
		preflight: cfg["run_on_preflight"] != false,
		host:      env.Host,
	}
	anon, _ := cfg["anonymous"].(string)
	k.anonymous = plugin.Anonymous(anon)
	for _, v := range asList(cfg["key_names"]) {
		n, _ := v.(string)
		if n == "" {
			continue
		}
		kn := keyName{name: n}
		if alt := strings.ReplaceAll(n, "_", "-"); alt != n {
			kn.alt = alt
		}
		k.names = append(k.names, kn)
	}
	k.wwwAuthenticate = "Key"
	if realm, ok := cfg["realm"].(string); ok {
		k.wwwAuthenticate = `Key realm="` + realm + `"`
	}
	k.index, _ = env.Shared.(index)
	if k.index == nil && env.Data != nil {
		v, _ := buildIndex(env.Data)
		k.index = v.(index)
	}
	return k, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

var methodOptions = []byte("OPTIONS")

// Access authenticates the request (Kong's KeyAuthHandler:access).
func (k *KeyAuth) Access(c *plugin.Context) {
	if !k.preflight && bytes.Equal(c.Method(), methodOptions) {
		return
	}
	if k.anonymous.Satisfied(c) {
		return
	}
	if status, msg := k.authenticate(c); status != 0 && !k.anonymous.Fallback(c) {
		c.Error(status, msg, "WWW-Authenticate", k.wwwAuthenticate)
	}
}

// authenticate looks the key up in headers, query and body, in key_names
// order, and authenticates the consumer. It returns 0 on success, else the
// status and message of the failure.
func (k *KeyAuth) authenticate(c *plugin.Context) (int, string) {
	var (
		body  *requestBody
		match *credential
		key   bool
	)
	for i := range k.names {
		n := &k.names[i]
		var v []byte
		var s string
		kind := notFound
		if k.inHeader {
			v, kind = headerValue(c, n)
		}
		if kind == notFound && k.inQuery {
			v, kind = queryValue(c, n.name)
		}
		if kind == notFound && k.inBody {
			if body == nil {
				body = parseBody(c)
			}
			s, kind = body.lookup(n.name)
			v = nil
		}
		if kind == notFound {
			continue
		}
		if kind == multiple {
			return 401, msgDuplicate
		}
		// Resolve the key before hide_credentials mutates the request
		// (v may point into a header or query buffer).
		if v != nil {
			key = len(v) > 0
			match = k.index[string(v)]
		} else {
			key = s != ""
			match = k.index[s]
		}
		if k.hide {
			k.hideKey(c, n, body)
		}
		break
	}
	if !key {
		return 401, msgNoKey
	}
	// The clock is read only for keys with a ttl.
	if match == nil || (match.expiresAt != 0 && match.expired(k.now())) {
		return 401, msgInvalid
	}
	c.Authenticate(match.consumer, &match.cred)
	return 0, ""
}

func (e *credential) expired(now time.Time) bool {
	return e.expiresAt != 0 && e.expiresAt <= float64(now.Unix())
}

func (k *KeyAuth) now() time.Time {
	if k.host != nil && k.host.Now != nil {
		return k.host.Now()
	}
	return time.Now()
}

func headerValue(c *plugin.Context, n *keyName) ([]byte, found) {
	vals := c.HeaderValues(n.name)
	if len(vals) == 0 && n.alt != "" {
		vals = c.HeaderValues(n.alt)
	}
	return classify(vals)
}

func queryValue(c *plugin.Context, name string) ([]byte, found) {
	if !c.HasQuery(name) {
		return nil, notFound
	}
	return classify(c.QueryValues(name))
}

func classify(vals [][]byte) ([]byte, found) {
	switch len(vals) {
	case 0:
		return nil, notFound
	case 1:
		if vals[0] == nil {
			return []byte{}, single
		}
		return vals[0], single
	}
	return nil, multiple
}

// hideKey removes the key from the request sent upstream, as Kong does:
// the query argument and header of that name, and the body field when the
// body is searched too.
func (k *KeyAuth) hideKey(c *plugin.Context, n *keyName, body *requestBody) {
	if c.HasQuery(n.name) {
		c.DelQuery(n.name)
	}
	c.DelHeader(n.name)
	if n.alt != "" {
		c.DelHeader(n.alt)
	}
	if k.inBody {
		if body == nil {
			body = parseBody(c)
		}
		if b, changed := body.without(n.name); changed {
			c.SetBody(b)
		}
	}
}
