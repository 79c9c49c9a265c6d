// Package cors implements Kong's cors plugin (kong/plugins/cors): it
// answers CORS preflight requests itself and adds the CORS response
// headers to actual requests.
package cors

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "cors",
		Priority:    2000,
		Description: "Add Cross-Origin Resource Sharing (CORS) headers and answer preflight requests.",
		NoConsumer:  true,
		Config:      configFields(),
		New:         New,
	})
}

const (
	hACAO = "Access-Control-Allow-Origin"
	hACAC = "Access-Control-Allow-Credentials"
	hACAH = "Access-Control-Allow-Headers"
	hACAM = "Access-Control-Allow-Methods"
	hACMA = "Access-Control-Max-Age"
	hACEH = "Access-Control-Expose-Headers"
	hACPN = "Access-Control-Allow-Private-Network"
	hVary = "Vary"
)

// domain is one configured origin compiled for matching against a
// request's normalized origin (Kong's cached_domains entries).
type domain struct {
	re *regexp.Regexp
	// byHost matches the regex against the origin's host only (the entry
	// has no ":"); otherwise against scheme://host[:port].
	byHost bool
	// domain is the normalized literal origin.
	domain string
}

// Cors is one compiled cors configuration.
type Cors struct {
	// allowAll: no origins, or exactly ["*"]: ACAO is "*".
	allowAll bool
	// single is set when one literal origin is configured: ACAO is that
	// origin whatever the request sends.
	single    string
	hasSingle bool
	// star: "*" appears among several origins; any request origin gets "*".
	star    bool
	domains []domain

	allowHeaders   string // joined config.headers; "" echoes the request's
	exposedHeaders string
	methods        string
	maxAge         string
	hasMaxAge      bool
	credentials    bool
	privateNetwork bool
	preflightCont  bool
}

// skipResponse is stored with SetLocal when the access phase handled (or
// delegated) a preflight, so the response phase adds nothing.
type skipResponse struct{}

// New compiles a cors config: origins are classified and regexes
// compiled once.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	c := &Cors{
		credentials:    cfg["credentials"] == true,
		privateNetwork: cfg["private_network"] == true,
		preflightCont:  cfg["preflight_continue"] == true,
	}
	origins := strList(cfg["origins"])
	switch {
	case len(origins) == 0 || len(origins) == 1 && origins[0] == "*":
		c.allowAll = true
	case len(origins) == 1 && isLiteral(origins[0]):
		c.single, c.hasSingle = origins[0], true
	default:
		for _, entry := range origins {
			if entry == "*" {
				// Kong returns "*" as soon as it meets this entry while
				// building its origin cache, so it wins over every entry.
				c.star = true
				break
			}
			d := domain{byHost: !strings.Contains(entry, ":")}
			if isLiteral(entry) {
				d.domain, _ = normalizeOrigin(entry)
			} else {
				// Kong 0.x did not anchor regexes: Kong anchors at the end
				// and matches from the start of the subject.
				if !strings.HasSuffix(entry, "$") {
					entry += "$"
				}
				entry = strings.TrimPrefix(entry, "^")
				re, err := regexp.Compile("^(?:" + entry + ")")
				if err != nil {
					return nil, fmt.Errorf("origin %q: %w", entry, err)
				}
				d.re = re
			}
			c.domains = append(c.domains, d)
		}
	}
	if h := strList(cfg["headers"]); len(h) > 0 {
		c.allowHeaders = strings.Join(h, ",")
	}
	if h := strList(cfg["exposed_headers"]); len(h) > 0 {
		c.exposedHeaders = strings.Join(h, ",")
	}
	if m, ok := cfg["methods"].([]any); ok {
		c.methods = strings.Join(strList(m), ",")
	} else {
		c.methods = strings.Join(allMethods, ",")
	}
	if n, ok := cfg["max_age"].(float64); ok {
		c.maxAge, c.hasMaxAge = strconv.FormatFloat(n, 'g', 14, 64), true
	}
	return c, nil
}

// Access answers preflight requests: OPTIONS with Origin and
// Access-Control-Request-Method.
func (p *Cors) Access(c *plugin.Context) {
	origin := c.Header("Origin")
	if string(c.Method()) != "OPTIONS" || origin == nil || c.Header("Access-Control-Request-Method") == nil {
		return
	}
	// Whether handled here or delegated upstream, the response phase
	// must not add headers to the preflight response.
	c.SetLocal(skipResponse{})
	if p.preflightCont {
		return
	}
	allowAll := p.configureOrigin(c, false, origin)
	p.configureCredentials(c, allowAll, false, origin)
	if p.allowHeaders != "" {
		c.SetResponseHeader(hACAH, p.allowHeaders)
	} else if acrh := c.Header("Access-Control-Request-Headers"); acrh != nil {
		c.SetResponseHeader(hACAH, string(acrh))
	} else {
		c.DelResponseHeader(hACAH)
	}
	c.SetResponseHeader(hACAM, p.methods)
	if p.hasMaxAge {
		c.SetResponseHeader(hACMA, p.maxAge)
	}
	if p.privateNetwork && string(c.Header("Access-Control-Request-Private-Network")) == "true" {
		c.SetResponseHeader(hACPN, "true")
	}
	c.Exit(200, nil, "")
}

// Response adds the CORS headers to actual (non-preflight) responses.
func (p *Cors) Response(c *plugin.Context) {
	if _, skip := c.Local().(skipResponse); skip {
		return
	}
	origin := c.Header("Origin")
	allowAll := p.configureOrigin(c, true, origin)
	p.configureCredentials(c, allowAll, true, origin)
	if p.exposedHeaders != "" {
		c.SetResponseHeader(hACEH, p.exposedHeaders)
	}
}

// vary adds "Vary: Origin": set on responses the plugin produces, added to
// the upstream's Vary otherwise, as Kong's add_vary_header.
func vary(c *plugin.Context, responsePhase bool) {
	if responsePhase {
		c.AddResponseHeader(hVary, "Origin")
	} else {
		c.SetResponseHeader(hVary, "Origin")
	}
}

// configureOrigin is Kong's configure_origin: it sets or clears ACAO and
// reports whether every origin is allowed.
func (p *Cors) configureOrigin(c *plugin.Context, responsePhase bool, origin []byte) bool {
	if p.allowAll {
		c.SetResponseHeader(hACAO, "*")
		return true
	}
	// Always vary on Origin: caches key on it.
	vary(c, responsePhase)
	if p.hasSingle {
		c.SetResponseHeader(hACAO, p.single)
		return false
	}
	if origin != nil {
		if p.star {
			c.SetResponseHeader(hACAO, "*")
			return true
		}
		if len(origin) > 0 {
			reqDomain, reqHost := normalizeOrigin(string(origin))
			for i := range p.domains {
				d := &p.domains[i]
				var found bool
				if d.re != nil {
					subject := reqDomain
					if d.byHost {
						subject = reqHost
					}
					found = d.re.MatchString(subject)
				} else {
					found = reqDomain == d.domain
				}
				if found {
					c.SetResponseHeader(hACAO, reqDomain)
					return false
				}
			}
		}
	}
	c.DelResponseHeader(hACAO)
	return false
}

// configureCredentials is Kong's configure_credentials: ACAC cannot be
// "true" with ACAO "*", so the request origin is echoed instead.
func (p *Cors) configureCredentials(c *plugin.Context, allowAll, responsePhase bool, origin []byte) {
	if !p.credentials {
		return
	}
	if !allowAll {
		c.SetResponseHeader(hACAC, "true")
		return
	}
	if origin != nil {
		vary(c, responsePhase)
		c.SetResponseHeader(hACAO, string(origin))
		c.SetResponseHeader(hACAC, "true")
	}
}

// isLiteral reports whether an origin has only the characters of a plain
// origin (Kong's ^[A-Za-z0-9.:/-]+$); anything else is a regex.
func isLiteral(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == ':' || c == '/' || c == '-' {
			continue
		}
		return false
	}
	return true
}

// normalizeOrigin is Kong's normalize_origin over LuaSocket's url.parse:
// it returns scheme://host[:port] without the scheme's default port, and
// the host. A value without an authority is returned as is for both.
func normalizeOrigin(s string) (dom, host string) {
	rest := s
	scheme := ""
	if i := schemeEnd(rest); i > 0 {
		scheme, rest = rest[:i], rest[i+1:]
	}
	if !strings.HasPrefix(rest, "//") {
		return s, s
	}
	authority := rest[2:]
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority = authority[:i]
	}
	if i := strings.IndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	port, hasPort := "", false
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i+1:], "]") {
		port, hasPort = authority[i+1:], true
		authority = authority[:i]
	}
	if authority == "" {
		return s, s
	}
	host = authority
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		hasPort = false
	}
	var b strings.Builder
	b.Grow(len(s))
	if scheme != "" {
		b.WriteString(scheme)
		b.WriteString("://")
	}
	b.WriteString(host)
	if hasPort {
		b.WriteByte(':')
		b.WriteString(port)
	}
	return b.String(), host
}

// schemeEnd returns the index of the ':' ending a URL scheme
// (^[%w][%w+.-]*:), or -1.
func schemeEnd(s string) int {
	if s == "" || !isAlnum(s[0]) {
		return -1
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i
		case isAlnum(c) || c == '+' || c == '-' || c == '.':
		default:
			return -1
		}
	}
	return -1
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
