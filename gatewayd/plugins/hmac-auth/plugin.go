// Package hmacauth is Kong's hmac-auth plugin (kong/plugins/hmac-auth,
// Kong 3.9): clients sign a list of request headers (plus the request-line
// and @request-target pseudo-headers) with their credential's secret and
// send the signature in an Authorization or Proxy-Authorization header
// `hmac username="…", algorithm="…", headers="…", signature="…"`; the
// request must carry a Date or X-Date within clock_skew seconds and,
// optionally, a Digest of its body.
package hmacauth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Name and Priority are Kong's.
const (
	Name     = "hmac-auth"
	Priority = 1030
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Authenticate consumers with HMAC signatures of request headers.",
		Config:      configFields(),
		NoConsumer:  true,
		Entities:    []*schema.Entity{Credentials()},
		Shared:      buildIndex,
		New:         New,
	})
}

// Kong's messages (kong/plugins/hmac-auth/access.lua).
const (
	msgUnauthorized   = "Unauthorized"
	msgClockSkew      = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"
	msgCannotVerify   = "HMAC signature cannot be verified"
	msgDoesNotMatch   = "HMAC signature does not match"
	headerAuth        = "Authorization"
	headerProxyAuth   = "Proxy-Authorization"
	pseudoRequestLine = "request-line"
	pseudoTarget      = "@request-target"
)

// credential is one hmacauth_credential of the snapshot.
type credential struct {
	secret   []byte
	consumer *plugin.Consumer
	cred     *plugin.Credential
}

type index struct {
	byUsername map[string]*credential
}

func buildIndex(d *plugin.Data) (any, error) {
	idx := &index{byUsername: make(map[string]*credential, len(d.Docs(EntityName)))}
	for c := range d.Credentials(EntityName) {
		username, _ := c.Doc["username"].(string)
		if username == "" || c.Consumer == nil {
			continue
		}
		secret, _ := c.Doc["secret"].(string)
		idx.byUsername[username] = &credential{
			secret:   []byte(secret),
			consumer: c.Consumer,
			cred:     &plugin.Credential{ID: c.ID, ConsumerID: c.ConsumerID, Identifier: username},
		}
	}
	return idx, nil
}

// handler is one compiled hmac-auth plugin instance.
type handler struct {
	idx          *index
	host         *plugin.Host
	hide         bool
	clockSkew    float64
	anonymous    plugin.Anonymous
	validateBody bool
	enforce      []string
	algorithms   map[string]func() hash.Hash
	www          string
}

var digests = map[string]func() hash.Hash{
	"hmac-sha1":   sha1.New,
	"hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha512": sha512.New,
}

// New compiles one hmac-auth config.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	h := &handler{
		host:         env.Host,
		hide:         cfg["hide_credentials"] == true,
		anonymous:    plugin.Anonymous(str(cfg["anonymous"])),
		validateBody: cfg["validate_request_body"] == true,
		enforce:      strs(cfg["enforce_headers"]),
		algorithms:   map[string]func() hash.Hash{},
		www:          "hmac",
	}
	h.idx, _ = env.Shared.(*index)
	if h.idx == nil {
		h.idx = &index{}
	}
	h.clockSkew, _ = cfg["clock_skew"].(float64)
	for _, a := range strs(cfg["algorithms"]) {
		if d := digests[a]; d != nil {
			h.algorithms[a] = d
		}
	}
	if realm, ok := cfg["realm"].(string); ok {
		h.www = `hmac realm="` + realm + `"`
	}
	return h, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Access authenticates the request: with anonymous set, failures fall
// back to the anonymous consumer (logical OR with other auth plugins),
// otherwise they end the request with 401.
func (h *handler) Access(c *plugin.Context) {
	if h.anonymous.Satisfied(c) {
		return
	}
	if msg := h.authenticate(c); msg != "" && !h.anonymous.Fallback(c) {
		c.Error(401, msg, "WWW-Authenticate", h.www)
	}
}

// authenticate is Kong's do_authentication; it returns "" on success or
// the rejection message.
func (h *handler) authenticate(c *plugin.Context) string {
	authz, proxy := c.Header(headerAuth), c.Header(headerProxyAuth)
	if len(authz) == 0 && len(proxy) == 0 {
		return msgUnauthorized
	}
	if !h.clockOK(c.Header("X-Date")) && !h.clockOK(c.Header("Date")) {
		return msgClockSkew
	}
	p, ok := parseAuthorization(proxy)
	cleared := ""
	if !ok {
		p, ok = parseAuthorization(authz)
		if h.hide {
			cleared = headerAuth
		}
	} else if h.hide {
		cleared = headerProxyAuth
	}
	msg := h.verify(c, p, ok, cleared)
	if cleared != "" {
		// Kong clears the header before verifying, whatever the outcome.
		c.DelHeader(cleared)
	}
	if msg == "" {
		cred := h.idx.byUsername[string(p.username)]
		c.Authenticate(cred.consumer, cred.cred)
	}
	return msg
}

func (h *handler) verify(c *plugin.Context, p params, ok bool, cleared string) string {
	// validate_params: the enforced headers must be signed and the
	// algorithm allowed; an unparsable header has neither.
	if !ok {
		return msgCannotVerify
	}
	var buf [16][]byte
	list := splitSpace(buf[:0], p.headers)
	for _, e := range h.enforce {
		found := false
		for _, x := range list {
			if string(x) == e {
				found = true
				break
			}
		}
		if !found {
			return msgCannotVerify
		}
	}
	newHash := h.algorithms[string(p.algorithm)]
	if newHash == nil {
		return msgCannotVerify
	}
	cred := h.idx.byUsername[string(p.username)]
	if cred == nil {
		return msgCannotVerify
	}
	sig, sigOK := decodeBase64(p.signature)
	s := signer{c: c, newHash: newHash, secret: cred.secret, cleared: cleared}
	if !sigOK || !s.matches(list, sig) {
		return msgDoesNotMatch
	}
	if h.validateBody && !validBody(c) {
		return msgDoesNotMatch
	}
	return ""
}

// clockOK is validate_clock_skew for one header value.
func (h *handler) clockOK(date []byte) bool {
	if len(date) == 0 {
		return false
	}
	t, err := http.ParseTime(string(date))
	if err != nil {
		return false
	}
	now := time.Now()
	if h.host != nil && h.host.Now != nil {
		now = h.host.Now()
	}
	return math.Abs(float64(now.Unix()-t.Unix())) <= h.clockSkew
}

// validBody checks the Digest header against the body: "SHA-256=" and the
// base64 SHA-256 of the body; without a Digest the body must be empty.
func validBody(c *plugin.Context) bool {
	body := c.Body()
	digest := c.Header("Digest")
	if len(digest) == 0 {
		return len(body) == 0
	}
	sum := sha256.Sum256(body)
	const prefix = "SHA-256="
	var want [len(prefix) + 44]byte
	copy(want[:], prefix)
	base64.StdEncoding.Encode(want[len(prefix):], sum[:])
	return bytes.Equal(want[:], digest)
}

// signer builds signing strings (Kong's create_hash) and compares HMACs.
type signer struct {
	c       *plugin.Context
	newHash func() hash.Hash
	secret  []byte
	cleared string
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// matches reports whether sig is the HMAC of the signing string built with
// the request URI as sent, or, as Kong still accepts, with the normalized
// path (the deprecated form).
func (s *signer) matches(list [][]byte, sig []byte) bool {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	uri := s.c.RawRequestURI()
	*bp = s.signingString((*bp)[:0], list, uri)
	if s.equal(*bp, sig) {
		return true
	}
	if !usesRequestURI(list, s) {
		return false // the same string again
	}
	*bp = s.signingString((*bp)[:0], list, s.c.Path())
	return s.equal(*bp, sig)
}

func (s *signer) equal(data, sig []byte) bool {
	m := hmac.New(s.newHash, s.secret)
	m.Write(data)
	var out [64]byte
	return hmac.Equal(m.Sum(out[:0]), sig)
}

// usesRequestURI reports whether a pseudo-header (taken only when no real
// header has its name) puts the URI in the signing string.
func usesRequestURI(list [][]byte, s *signer) bool {
	for _, name := range list {
		n := string(name)
		if (n == pseudoRequestLine || n == pseudoTarget) && !s.present(n) {
			return true
		}
	}
	return false
}

// header returns the first value of a request header and whether the
// request has it (an empty value counts); the header hide_credentials
// cleared is gone.
func (s *signer) header(name string) ([]byte, bool) {
	if s.cleared != "" && strings.EqualFold(name, s.cleared) {
		return nil, false
	}
	if v := s.c.Header(name); len(v) > 0 {
		return v, true
	}
	if name == "" {
		return nil, false
	}
	return nil, len(s.c.HeaderValues(name)) > 0
}

func (s *signer) present(name string) bool {
	_, ok := s.header(name)
	return ok
}

// signingString joins, with "\n", "<name>: <value>" for every listed
// header the request has; for absent ones, "@request-target: <method in
// lowercase> <uri>", "<METHOD> <uri> HTTP/<version>" for request-line, or
// "<name>:".
func (s *signer) signingString(dst []byte, list [][]byte, uri []byte) []byte {
	for i, name := range list {
		if i > 0 {
			dst = append(dst, '\n')
		}
		n := string(name)
		if v, ok := s.header(n); ok {
			dst = append(dst, name...)
			dst = append(dst, ": "...)
			dst = append(dst, v...)
			continue
		}
		switch n {
		case pseudoTarget:
			dst = append(dst, "@request-target: "...)
			for _, b := range s.c.Method() {
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				dst = append(dst, b)
			}
			dst = append(dst, ' ')
			dst = append(dst, uri...)
		case pseudoRequestLine:
			dst = append(dst, s.c.Method()...)
			dst = append(dst, ' ')
			dst = append(dst, uri...)
			dst = append(dst, ' ')
			dst = appendProtocol(dst, s.c.RequestProtocol())
		default:
			dst = append(dst, name...)
			dst = append(dst, ':')
		}
	}
	return dst
}

// appendProtocol renders the version as Kong's "HTTP/%.01f" does:
// HTTP/1.1, HTTP/1.0, HTTP/2.0.
func appendProtocol(dst, proto []byte) []byte {
	dst = append(dst, proto...)
	if bytes.IndexByte(proto, '.') < 0 {
		dst = append(dst, ".0"...)
	}
	return dst
}

// decodeBase64 decodes like nginx's ngx.decode_base64: standard alphabet,
// input stops at the first '=', a length of 4n+1 is invalid and leftover
// bits are ignored.
func decodeBase64(src []byte) ([]byte, bool) {
	n := bytes.IndexByte(src, '=')
	if n < 0 {
		n = len(src)
	}
	if n%4 == 1 {
		return nil, false
	}
	for _, c := range src[:n] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(n))
	m, err := base64.RawStdEncoding.Decode(dst, src[:n])
	if err != nil {
		return nil, false
	}
	return dst[:m], true
}
