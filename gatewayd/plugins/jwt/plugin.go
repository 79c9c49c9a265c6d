// Package jwt is Kong's jwt plugin (kong/plugins/jwt, Kong 3.9): it
// verifies JSON Web Tokens signed with HS256/384/512, RS256/384/512,
// ES256/384/512, PS256/384/512 or EdDSA against the consumers' jwt_secrets
// credentials, optionally checks the exp and nbf claims and a maximum
// lifetime, and authenticates the consumer the token's key claim names.
package jwt

import (
	"bytes"
	"crypto"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Name and Priority are Kong's (JwtHandler.PRIORITY).
const (
	Name     = "jwt"
	Priority = 1450
)

// SharedTokenKey is the per-request key under which the verified token is
// stored (Kong's kong.ctx.shared.authenticated_jwt_token).
const SharedTokenKey = "authenticated_jwt_token"

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Verify JSON Web Tokens (HS, RS, ES, PS, EdDSA) against consumers' jwt credentials.",
		Config:      configFields(),
		Checks:      checks(),
		NoConsumer:  true,
		Entities:    []*schema.Entity{Secrets()},
		Shared:      buildIndex,
		New:         New,
	})
}

// credential is one jwt_secret compiled for verification.
type credential struct {
	algorithm string
	// key is the HMAC key of HS* secrets ("jwt_secret_value": the secret,
	// else the rsa_public_key); hasKey is false when both are null.
	key    []byte
	hasKey bool
	// decoded is key base64-decoded, for secret_is_base64; decodedOK is
	// false when key is not base64.
	decoded   []byte
	decodedOK bool
	// pub is the parsed rsa_public_key of the other algorithms; nil with
	// hasKey true means the stored key does not load.
	pub      crypto.PublicKey
	consumer *plugin.Consumer
	cred     *plugin.Credential
}

// index is every jwt_secret of a snapshot by key, with keys parsed once.
type index struct {
	byKey map[string]*credential
}

func buildIndex(d *plugin.Data) (any, error) {
	idx := &index{byKey: make(map[string]*credential, len(d.Docs(EntityName)))}
	for cd := range d.Credentials(EntityName) {
		doc := cd.Doc
		key, _ := doc["key"].(string)
		if key == "" {
			continue
		}
		alg, _ := doc["algorithm"].(string)
		if alg == "" {
			alg = "HS256"
		}
		// A nil consumer stays: Authenticate answers Kong's "Could not
		// find consumer" for it.
		c := &credential{algorithm: alg, consumer: cd.Consumer}
		c.cred = &plugin.Credential{ID: cd.ID, ConsumerID: cd.ConsumerID, Identifier: key}
		secret, hasSecret := doc["secret"].(string)
		pem, hasPEM := doc["rsa_public_key"].(string)
		if strings.HasPrefix(alg, "HS") {
			// Lua's `hs and secret or rsa_public_key`.
			switch {
			case hasSecret:
				c.key, c.hasKey = []byte(secret), true
			case hasPEM:
				c.key, c.hasKey = []byte(pem), true
			}
			if c.hasKey {
				c.decoded, c.decodedOK = decodeBase64(c.key, true)
			}
		} else if hasPEM {
			c.hasKey = true
			c.pub, _ = ParsePublicKey(pem)
		}
		idx.byKey[key] = c
	}
	return idx, nil
}

// failure is a rejection: a JSON body (precomputed for fixed messages),
// its status and WWW-Authenticate challenge; internal failures are Kong's
// raised errors, answered 500.
type failure struct {
	status   int
	body     []byte
	www      string
	internal bool
}

var internalFailure = &failure{status: 500, internal: true}

// handler is one compiled jwt plugin instance.
type handler struct {
	idx            *index
	host           *plugin.Host
	uriParams      []string
	cookieNames    []string
	headerNames    []string
	keyClaim       string
	secretIsBase64 bool
	verifyExp      bool
	verifyNbf      bool
	maxExpiration  float64
	anonymous      plugin.Anonymous
	runOnPreflight bool
	wwwErr         string

	unauthorized, multiple, unrecognizable     *failure
	badToken                                   map[string]*failure
	noKeyClaim, invalidKeyClaim, noCredentials *failure
	invalidAlgorithm, invalidKey, invalidSig   *failure
}

// New compiles one jwt config.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	h := &handler{
		host:           env.Host,
		uriParams:      strs(cfg["uri_param_names"]),
		cookieNames:    strs(cfg["cookie_names"]),
		keyClaim:       str(cfg["key_claim_name"]),
		secretIsBase64: cfg["secret_is_base64"] == true,
		anonymous:      plugin.Anonymous(str(cfg["anonymous"])),
		runOnPreflight: cfg["run_on_preflight"] != false,
	}
	h.idx, _ = env.Shared.(*index)
	if h.idx == nil {
		h.idx = &index{}
	}
	for _, n := range strs(cfg["header_names"]) {
		// ngx.req.get_headers() looks names up with "_" as "-".
		h.headerNames = append(h.headerNames, strings.ReplaceAll(n, "_", "-"))
	}
	for _, c := range strs(cfg["claims_to_verify"]) {
		switch c {
		case "exp":
			h.verifyExp = true
		case "nbf":
			h.verifyNbf = true
		}
	}
	h.maxExpiration, _ = cfg["maximum_expiration"].(float64)

	www := "Bearer"
	if realm, ok := cfg["realm"].(string); ok {
		www = `Bearer realm="` + realm + `"`
	}
	h.wwwErr = www + ` error="invalid_token"`
	msg := func(m, challenge string) *failure {
		return &failure{status: 401, body: messageBody(m), www: challenge}
	}
	h.unauthorized = msg("Unauthorized", www)
	h.multiple = msg("Multiple tokens provided", h.wwwErr)
	h.unrecognizable = msg("Unrecognizable token", h.wwwErr)
	h.badToken = map[string]*failure{}
	for _, e := range []string{errInvalidJSON, errInvalidAlg, errInvalidClaims, errInvalidSignature} {
		h.badToken[e] = msg("Bad token; "+e, h.wwwErr)
	}
	h.noKeyClaim = msg("No mandatory '"+h.keyClaim+"' in claims", h.wwwErr)
	h.invalidKeyClaim = msg("Invalid '"+h.keyClaim+"' in claims", h.wwwErr)
	h.noCredentials = msg("No credentials found for given '"+h.keyClaim+"'", h.wwwErr)
	h.invalidAlgorithm = msg("Invalid algorithm", h.wwwErr)
	h.invalidKey = msg("Invalid key/secret", h.wwwErr)
	h.invalidSig = msg("Invalid signature", h.wwwErr)
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

func messageBody(m string) []byte {
	b, _ := marshal(map[string]any{"message": m})
	return b
}

// marshal encodes like the SDK's ExitJSON (no HTML escaping).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

const jsonType = "application/json; charset=utf-8"

// Access authenticates the request (JwtHandler:access).
func (h *handler) Access(c *plugin.Context) {
	if !h.runOnPreflight && string(c.Method()) == "OPTIONS" {
		return
	}
	if h.anonymous.Satisfied(c) {
		return
	}
	f := h.authenticate(c)
	switch {
	case f == nil:
	case f.internal && h.anonymous != "":
		c.Error(500, "An unexpected error occurred")
	case !h.anonymous.Fallback(c):
		h.reject(c, f)
	}
}

func (h *handler) reject(c *plugin.Context, f *failure) {
	if f.internal {
		c.Error(500, "An unexpected error occurred")
		return
	}
	if f.www == "" {
		c.Exit(f.status, f.body, jsonType)
		return
	}
	c.Exit(f.status, f.body, jsonType, "WWW-Authenticate", f.www)
}

// authenticate is do_authentication: nil on success, else the rejection.
func (h *handler) authenticate(c *plugin.Context) *failure {
	raw, kind := h.retrieve(c)
	switch kind {
	case tokensNone:
		return h.unauthorized
	case tokensMultiple:
		return h.multiple
	case tokensUnrecognizable:
		return h.unrecognizable
	}
	t, decErr := decodeToken(raw)
	if decErr != "" {
		return h.badToken[decErr]
	}
	kv := t.claims[h.keyClaim]
	if kv == nil || kv == false {
		kv = t.header[h.keyClaim]
	}
	if kv == nil || kv == false {
		return h.noKeyClaim
	}
	key, ok := kv.(string)
	if ok && key == "" {
		return h.invalidKeyClaim
	}
	cred := h.idx.byKey[key]
	if !ok || cred == nil {
		return h.noCredentials
	}
	if t.alg != cred.algorithm {
		return h.invalidAlgorithm
	}
	if !cred.hasKey {
		return h.invalidKey
	}
	if strings.HasPrefix(cred.algorithm, "HS") {
		secret := cred.key
		if h.secretIsBase64 {
			if !cred.decodedOK {
				return h.invalidKey
			}
			secret = cred.decoded
		}
		if !t.verify(secret, nil) {
			return h.invalidSig
		}
	} else {
		if cred.pub == nil {
			// Kong asserts the key loads: a raised error.
			return internalFailure
		}
		if !t.verify(nil, cred.pub) {
			return h.invalidSig
		}
	}
	if errs := h.verifyClaims(&t); errs != nil {
		return h.claimsFailure(errs)
	}
	if h.maxExpiration > 0 && h.exceedsMaximum(&t) {
		return h.claimsFailure(map[string]any{"exp": "exceeds maximum allowed expiration"})
	}
	if cred.consumer == nil {
		body, _ := marshal(map[string]any{"message": "Could not find consumer for '" + h.keyClaim + "=" + key + "'"})
		return &failure{status: 401, body: body}
	}
	c.Authenticate(cred.consumer, cred.cred)
	c.Set(SharedTokenKey, string(raw))
	return nil
}

func (h *handler) claimsFailure(errs map[string]any) *failure {
	body, err := marshal(errs)
	if err != nil {
		return internalFailure
	}
	return &failure{status: 401, body: body, www: h.wwwErr}
}

func (h *handler) now() float64 {
	if h.host != nil && h.host.Now != nil {
		return float64(h.host.Now().Unix())
	}
	return float64(time.Now().Unix())
}

// verifyClaims is jwt_parser's verify_registered_claims for the
// configured claims: each must be a number; exp must lie in the future,
// nbf must not.
func (h *handler) verifyClaims(t *token) map[string]any {
	if !h.verifyExp && !h.verifyNbf {
		return nil
	}
	now := h.now()
	var errs map[string]any
	add := func(k, v string) {
		if errs == nil {
			errs = map[string]any{}
		}
		errs[k] = v
	}
	if h.verifyExp {
		if exp, ok := t.claims["exp"].(float64); !ok {
			add("exp", "must be a number")
		} else if exp <= now {
			add("exp", "token expired")
		}
	}
	if h.verifyNbf {
		if nbf, ok := t.claims["nbf"].(float64); !ok {
			add("nbf", "must be a number")
		} else if nbf > now {
			add("nbf", "token not valid yet")
		}
	}
	return errs
}

// exceedsMaximum is check_maximum_expiration: a missing exp, or one more
// than maximum_expiration seconds ahead, is rejected. Numeric strings
// count as numbers, as Lua's arithmetic coerces them.
func (h *handler) exceedsMaximum(t *token) bool {
	var exp float64
	switch v := t.claims["exp"].(type) {
	case float64:
		exp = v
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return true
		}
		exp = n
	default:
		return true
	}
	return exp-h.now() > h.maxExpiration
}
