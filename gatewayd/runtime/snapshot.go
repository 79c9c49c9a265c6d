// Package runtime builds gatewayd's immutable configuration Snapshot (the
// router, services, balancers and certificates) from the store, off the
// request path, and swaps it atomically whenever the configuration changes.
package runtime

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/balancer"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/router"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// Entities read to build a snapshot (plugin-owned entities come on top).
var Entities = []string{"services", "routes", "upstreams", "targets", "certificates", "snis", "consumers", "plugins"}

// Plugins is what a snapshot build needs to compile plugin chains. The zero
// value builds snapshots without plugins.
type Plugins struct {
	Catalog *plugin.Catalog
	Host    *plugin.Host
	Logger  *slog.Logger
}

// entities lists every entity a build reads.
func (p Plugins) entities() []string {
	out := append([]string(nil), Entities...)
	if p.Catalog != nil {
		for _, e := range p.Catalog.Entities() {
			out = append(out, e.Name)
		}
	}
	return out
}

// Snapshot is one immutable view of the proxy configuration. Requests load
// the current snapshot once and use it throughout.
type Snapshot struct {
	Revision int64
	BuiltAt  time.Time
	Router   *router.Router
	Services map[string]*Service
	// Certs maps SNI names (exact and "*.x"/"x.*" wildcards) to certificates.
	Certs map[string]*tls.Certificate
	// Plugins are the compiled plugin instances; Data the consumer and
	// credential documents they were built from.
	Plugins *plugin.Set
	Data    *plugin.Data
	// Upstreams lists the load-balanced upstreams and their targets.
	Upstreams []Upstream
	// Counts for /status and logs.
	RouteCount int
	hostGen    uint64
}

// Upstream is an upstream and its targets, for status reporting.
type Upstream struct {
	Name    string
	Targets []balancer.Target
}

// Route is the compiled form of a route, carried as router.Route.Value.
type Route struct {
	ID, Name          string
	Service           *Service // nil: "no Service found with those values"
	HTTP, HTTPS       bool     // protocols allowed
	StripPath         bool
	PreserveHost      bool
	PathHandling      string
	RedirectCode      int
	RequestBuffering  bool
	ResponseBuffering bool
	// Plan is the route's compiled plugin chain; Ref identifies the route
	// to plugins and logs.
	Plan *plugin.Plan
	Ref  *plugin.RouteRef
}

// Service is the compiled form of a service.
type Service struct {
	ID, Name  string
	Protocol  string
	Host      string
	Port      int
	Path      string // "" when null
	TLS       bool
	Retries   int
	Connect   time.Duration
	Read      time.Duration
	Write     time.Duration
	TLSVerify bool
	// HostHeader is the upstream Host when preserve_host is off: the
	// service host (or the upstream's host_header) with a non-default port.
	HostHeader string
	// Balancer is set when Host names an upstream; otherwise Direct is the
	// address to dial.
	Balancer *balancer.RoundRobin
	Direct   string
	// ClientKeys are the connection-pool keys for Direct (index 0) or for
	// each balancer target, precomputed so the hot path never formats.
	ClientKeys []string
	Ref        *plugin.ServiceRef
}

// Build compiles entity documents into a snapshot. Invalid entries (which
// the admin API never stores) are reported, not fatal, so one bad row
// cannot take the proxy down.
func Build(docs map[string][]store.Doc, rev int64) (*Snapshot, []error) {
	return Plugins{}.Build(docs, rev)
}

// Build compiles entity documents and plugin chains into a snapshot.
func (p Plugins) Build(docs map[string][]store.Doc, rev int64) (*Snapshot, []error) {
	var problems []error
	snap := &Snapshot{Revision: rev, BuiltAt: time.Now(), Services: map[string]*Service{}}
	snap.Data = plugin.NewData(docs)
	if p.Catalog != nil {
		host := p.Host
		if host == nil {
			host = plugin.NewHost("", "", "", p.Logger)
		}
		snap.hostGen = host.BeginBuild()
		set, pluginProblems := plugin.Compile(p.Catalog, docs["plugins"], snap.Data, host, p.Logger)
		snap.Plugins = set
		problems = append(problems, pluginProblems...)
	}

	upstreams := buildUpstreams(docs["upstreams"], docs["targets"])
	for _, u := range docs["upstreams"] {
		name := str(u["name"])
		snap.Upstreams = append(snap.Upstreams, Upstream{Name: name, Targets: upstreams[name].balancer.Targets})
	}
	for _, d := range docs["services"] {
		if d["enabled"] == false {
			continue
		}
		svc := buildService(d, upstreams)
		svc.Ref = &plugin.ServiceRef{ID: svc.ID, Name: svc.Name, Doc: d}
		snap.Services[svc.ID] = svc
	}

	routes := make([]router.Route, 0, len(docs["routes"]))
	for _, d := range docs["routes"] {
		rt, r := buildRoute(d, snap.Services)
		if rt == nil {
			continue // route of a disabled service
		}
		rt.Ref = &plugin.RouteRef{ID: rt.ID, Name: rt.Name, Doc: d}
		sid := ""
		if rt.Service != nil {
			sid = rt.Service.ID
		}
		rt.Plan = snap.Plugins.PlanFor(rt.ID, sid)
		r.Value = rt
		routes = append(routes, r)
	}
	rtr, routes, routeProblems := buildRouter(routes)
	problems = append(problems, routeProblems...)
	snap.Router = rtr
	snap.RouteCount = len(routes)

	certs, certProblems := buildCerts(docs["certificates"], docs["snis"])
	snap.Certs = certs
	problems = append(problems, certProblems...)

	// Documents are kept only where something may read them at request
	// time: the route, service and consumer documents, for log serializers
	// and plugins that have not declared they never read them. At 10k
	// routes, services and consumers they are most of a snapshot's memory.
	keepDocs := snap.Plugins.NeedsEntityDocs()
	snap.Data.ReleaseDocs(keepDocs)
	if !keepDocs {
		for _, svc := range snap.Services {
			svc.Ref.Doc = nil
		}
		for _, r := range routes {
			r.Value.(*Route).Ref.Doc = nil
		}
	}
	return snap, problems
}

// buildRouter compiles the routes, dropping any route the router rejects
// (each is reported) and building the rest.
func buildRouter(routes []router.Route) (*router.Router, []router.Route, []error) {
	var problems []error
	for {
		rtr, err := router.New(routes)
		if err == nil {
			return rtr, routes, problems
		}
		var re *router.RouteError
		if !errors.As(err, &re) {
			empty, _ := router.New(nil)
			return empty, nil, append(problems, fmt.Errorf("building router: %w", err))
		}
		problems = append(problems, err)
		kept := routes[:0:0]
		for _, r := range routes {
			if r.ID != re.RouteID {
				kept = append(kept, r)
			}
		}
		if len(kept) == len(routes) {
			empty, _ := router.New(nil)
			return empty, nil, append(problems, fmt.Errorf("building router: %w", err))
		}
		routes = kept
	}
}

type upstreamInfo struct {
	balancer   *balancer.RoundRobin
	hostHeader string
}

func buildUpstreams(ups, targets []store.Doc) map[string]upstreamInfo {
	byID := map[string][]balancer.Target{}
	for _, t := range targets {
		uid := entity.ForeignID(t["upstream"])
		addr, _ := t["target"].(string)
		host, port := entity.SplitTarget(addr)
		byID[uid] = append(byID[uid], balancer.Target{Host: host, Port: port, Weight: intOf(t["weight"]), Addr: addr})
	}
	out := map[string]upstreamInfo{}
	for _, u := range ups {
		name, _ := u["name"].(string)
		hh, _ := u["host_header"].(string)
		out[name] = upstreamInfo{balancer: balancer.NewRoundRobin(byID[u["id"].(string)]), hostHeader: hh}
	}
	return out
}

func buildService(d store.Doc, upstreams map[string]upstreamInfo) *Service {
	s := &Service{
		ID:       str(d["id"]),
		Name:     str(d["name"]),
		Protocol: str(d["protocol"]),
		Host:     str(d["host"]),
		Port:     intOf(d["port"]),
		Path:     str(d["path"]),
		Retries:  intOf(d["retries"]),
		Connect:  ms(d["connect_timeout"]),
		Read:     ms(d["read_timeout"]),
		Write:    ms(d["write_timeout"]),
	}
	s.TLS = s.Protocol == "https" || s.Protocol == "grpcs" || s.Protocol == "tls"
	if v, ok := d["tls_verify"].(bool); ok {
		s.TLSVerify = v
	}
	defaultPort := 80
	if s.TLS {
		defaultPort = 443
	}
	s.HostHeader = s.Host
	if s.Port != defaultPort {
		s.HostHeader = s.Host + ":" + strconv.Itoa(s.Port)
	}
	timeouts := fmt.Sprintf("|%d|%d|%d|%t|%t", s.Connect, s.Read, s.Write, s.TLS, s.TLSVerify)
	if up, ok := upstreams[s.Host]; ok {
		s.Balancer = up.balancer
		if up.hostHeader != "" {
			s.HostHeader = up.hostHeader
		}
		for _, t := range up.balancer.Targets {
			s.ClientKeys = append(s.ClientKeys, t.Addr+timeouts)
		}
		return s
	}
	s.Direct = joinHostPort(s.Host, s.Port)
	s.ClientKeys = []string{s.Direct + timeouts}
	return s
}

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

func buildRoute(d store.Doc, services map[string]*Service) (*Route, router.Route) {
	rt := &Route{
		ID:                str(d["id"]),
		Name:              str(d["name"]),
		StripPath:         d["strip_path"] == true,
		PreserveHost:      d["preserve_host"] == true,
		PathHandling:      str(d["path_handling"]),
		RedirectCode:      intOf(d["https_redirect_status_code"]),
		RequestBuffering:  d["request_buffering"] != false,
		ResponseBuffering: d["response_buffering"] != false,
	}
	protocols := strings.Fields(strings.Join(strList(d["protocols"]), " "))
	for _, p := range protocols {
		switch p {
		case "http", "grpc":
			rt.HTTP = true
		case "https", "grpcs":
			rt.HTTPS = true
		}
	}
	if sid := entity.ForeignID(d["service"]); sid != "" {
		svc, ok := services[sid]
		if !ok {
			// The service exists but is disabled: its routes are ignored.
			return nil, router.Route{}
		}
		rt.Service = svc
	}
	headers := map[string][]string{}
	if h, ok := d["headers"].(map[string]any); ok {
		for k, v := range h {
			headers[k] = strList(v)
		}
	}
	r := router.Route{
		ID:            rt.ID,
		Name:          rt.Name,
		Protocols:     protocols,
		Methods:       strList(d["methods"]),
		Hosts:         strList(d["hosts"]),
		Paths:         strList(d["paths"]),
		Headers:       headers,
		SNIs:          strList(d["snis"]),
		RegexPriority: intOf(d["regex_priority"]),
		CreatedAt:     int64(intOf(d["created_at"])),
	}
	return rt, r
}

func buildCerts(certs, snis []store.Doc) (map[string]*tls.Certificate, []error) {
	var problems []error
	byID := map[string]*tls.Certificate{}
	for _, c := range certs {
		pair, err := tls.X509KeyPair([]byte(str(c["cert"])), []byte(str(c["key"])))
		if err != nil {
			problems = append(problems, fmt.Errorf("certificate %s: %w", str(c["id"]), err))
			continue
		}
		byID[str(c["id"])] = &pair
	}
	out := map[string]*tls.Certificate{}
	sort.Slice(snis, func(i, j int) bool { return str(snis[i]["name"]) < str(snis[j]["name"]) })
	for _, s := range snis {
		if c, ok := byID[entity.ForeignID(s["certificate"])]; ok {
			out[strings.ToLower(str(s["name"]))] = c
		}
	}
	return out, problems
}

// Certificate picks the certificate for a TLS server name: exact match,
// then "*.suffix", then "prefix.*".
func (s *Snapshot) Certificate(serverName string) *tls.Certificate {
	if len(s.Certs) == 0 || serverName == "" {
		return nil
	}
	name := strings.ToLower(serverName)
	if c, ok := s.Certs[name]; ok {
		return c
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		if c, ok := s.Certs["*"+name[i:]]; ok {
			return c
		}
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if c, ok := s.Certs[name[:i]+".*"]; ok {
			return c
		}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func ms(v any) time.Duration { return time.Duration(intOf(v)) * time.Millisecond }

func strList(v any) []string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// TargetHealth reports every upstream target. gatewayd has no active or
// passive health checks yet, so each is "healthchecks_off" as Kong reports
// targets of upstreams without health checks.
func (s *Snapshot) TargetHealth() []plugin.TargetHealth {
	var out []plugin.TargetHealth
	for _, u := range s.Upstreams {
		for _, t := range u.Targets {
			out = append(out, plugin.TargetHealth{Upstream: u.Name, Target: t.Addr, Address: joinHostPort(t.Host, t.Port), State: "healthchecks_off"})
		}
	}
	return out
}
