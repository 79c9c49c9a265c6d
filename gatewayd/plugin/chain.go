package plugin

import (
	"fmt"
	"log/slog"
	"sort"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Instance is one plugin entity compiled for a snapshot.
type Instance struct {
	ID, Name string
	Priority int
	// Scope of the plugin entity ("" = not scoped to that entity).
	RouteID, ServiceID, ConsumerID string
	// Impl is what Spec.New returned.
	Impl        any
	http, https bool
	// entityDocs: the instance may read route/service/consumer documents.
	entityDocs bool

	rewrite  Rewriter
	access   Accessor
	response ResponseFilter
	body     BodyFilter
	log      LogHandler
}

func (i *Instance) allows(scheme string) bool {
	if scheme == "https" {
		return i.https
	}
	return i.http
}

// entry is one plugin name in a Plan with every config that may apply,
// resolved per request by Kong's precedence (plugins_iterator lookup_cfg):
// route+service+consumer, route+consumer, service+consumer, route+service,
// consumer, route, service, global.
type entry struct {
	name     string
	priority int
	// withConsumer holds levels 1-3 for this route/service, by consumer id.
	withConsumer map[string]*Instance
	routeService *Instance
	// consumerOnly is level 5, shared by every plan.
	consumerOnly map[string]*Instance
	// tail is the first of route, service, global.
	tail *Instance
}

func (e *entry) resolve(consumerID string) *Instance {
	if consumerID != "" {
		if i := e.withConsumer[consumerID]; i != nil {
			return i
		}
		if e.routeService != nil {
			return e.routeService
		}
		if i := e.consumerOnly[consumerID]; i != nil {
			return i
		}
		return e.tail
	}
	if e.routeService != nil {
		return e.routeService
	}
	return e.tail
}

// Plan is the compiled plugin chain of one route (or of requests that
// matched no route): plugin names in PRIORITY order, each with its
// candidate configs.
type Plan struct {
	entries []entry
}

// Len is the number of plugin names in the plan.
func (p *Plan) Len() int {
	if p == nil {
		return 0
	}
	return len(p.entries)
}

type scopeKey struct{ route, service string }

type byName map[string]*Instance
type byNameConsumer map[string]map[string]*Instance

// Set is every plugin instance of a snapshot, indexed by scope, with plans
// memoized so routes with the same applicable plugins share one.
type Set struct {
	Global  *Plan
	rewrite []*Instance

	global       byName
	route        map[string]byName
	service      map[string]byName
	routeService map[scopeKey]byName
	consumer     byNameConsumer
	routeCons    map[string]byNameConsumer
	serviceCons  map[string]byNameConsumer
	rsCons       map[scopeKey]byNameConsumer

	byServicePlan map[string]*Plan
	count         int
	entityDocs    bool
}

// NeedsEntityDocs reports whether a compiled instance may read the stored
// route, service and consumer documents: one with a log handler (log
// serializers render them) or of a plugin that does not declare
// Spec.NoEntityDocs. A snapshot whose plugins need none drops them.
func (s *Set) NeedsEntityDocs() bool { return s != nil && s.entityDocs }

// HasRewrite reports whether any global plugin has a rewrite handler (one
// that may change request headers before routing).
func (s *Set) HasRewrite() bool { return s != nil && len(s.rewrite) > 0 }

// Count is the number of compiled instances.
func (s *Set) Count() int { return s.count }

// Compile builds every enabled plugin entity of docs into instances. A
// plugin that fails to compile is left out and reported; the rest work.
func Compile(cat *Catalog, docs []schema.Doc, data *Data, host *Host, log *slog.Logger) (*Set, []error) {
	if log == nil {
		log = slog.Default()
	}
	s := &Set{
		global: byName{}, route: map[string]byName{}, service: map[string]byName{},
		routeService: map[scopeKey]byName{}, consumer: byNameConsumer{},
		routeCons: map[string]byNameConsumer{}, serviceCons: map[string]byNameConsumer{},
		rsCons: map[scopeKey]byNameConsumer{}, byServicePlan: map[string]*Plan{},
	}
	var problems []error
	shared := map[string]any{}
	for _, d := range docs {
		if d["enabled"] == false {
			continue
		}
		name := str(d["name"])
		spec, ok := cat.Spec(name)
		if !ok {
			problems = append(problems, fmt.Errorf("plugin %s (%s) is not loaded on this node; add it to the 'plugins' configuration property", str(d["id"]), name))
			continue
		}
		sh, ok := shared[name]
		if !ok && spec.Shared != nil {
			v, err := spec.Shared(data)
			if err != nil {
				problems = append(problems, fmt.Errorf("plugin %s: building shared data: %w", name, err))
			}
			sh = v
			shared[name] = v
		}
		cfg, _ := d["config"].(map[string]any)
		env := &Env{ID: str(d["id"]), Name: name, Config: cfg, Shared: sh, Data: data, Host: host, Logger: log.With("plugin", name),
			RouteID: foreignID(d["route"]), ServiceID: foreignID(d["service"]), ConsumerID: foreignID(d["consumer"])}
		impl, err := spec.New(env)
		if err != nil {
			problems = append(problems, fmt.Errorf("plugin %s (%s): %w", env.ID, name, err))
			continue
		}
		inst := newInstance(spec, env, impl, strList(d["protocols"]))
		s.add(inst)
	}
	s.Global = s.plan("", "")
	for _, e := range s.Global.entries {
		if i := e.tail; i != nil && i.rewrite != nil {
			s.rewrite = append(s.rewrite, i)
		}
	}
	return s, problems
}

func newInstance(spec *Spec, env *Env, impl any, protocols []string) *Instance {
	i := &Instance{ID: env.ID, Name: spec.Name, Priority: spec.Priority, Impl: impl,
		RouteID: env.RouteID, ServiceID: env.ServiceID, ConsumerID: env.ConsumerID}
	if len(protocols) == 0 {
		protocols = spec.protocols()
	}
	for _, p := range protocols {
		switch p {
		case "http", "grpc":
			i.http = true
		case "https", "grpcs":
			i.https = true
		}
	}
	i.rewrite, _ = impl.(Rewriter)
	i.access, _ = impl.(Accessor)
	i.response, _ = impl.(ResponseFilter)
	i.body, _ = impl.(BodyFilter)
	i.log, _ = impl.(LogHandler)
	i.entityDocs = !spec.NoEntityDocs || i.log != nil
	return i
}

func put(m byName, i *Instance) { m[i.Name] = i }

func putC(m byNameConsumer, i *Instance) {
	if m[i.Name] == nil {
		m[i.Name] = map[string]*Instance{}
	}
	m[i.Name][i.ConsumerID] = i
}

func (s *Set) add(i *Instance) {
	s.count++
	s.entityDocs = s.entityDocs || i.entityDocs
	r, sv, c := i.RouteID, i.ServiceID, i.ConsumerID
	switch {
	case c == "" && r == "" && sv == "":
		put(s.global, i)
	case c == "" && r != "" && sv == "":
		put(getOr(s.route, r), i)
	case c == "" && r == "" && sv != "":
		put(getOr(s.service, sv), i)
	case c == "":
		put(getOrKey(s.routeService, scopeKey{r, sv}), i)
	case r == "" && sv == "":
		putC(s.consumer, i)
	case sv == "":
		putC(getOrC(s.routeCons, r), i)
	case r == "":
		putC(getOrC(s.serviceCons, sv), i)
	default:
		putC(getOrCKey(s.rsCons, scopeKey{r, sv}), i)
	}
}

func getOr(m map[string]byName, k string) byName {
	if m[k] == nil {
		m[k] = byName{}
	}
	return m[k]
}

func getOrKey(m map[scopeKey]byName, k scopeKey) byName {
	if m[k] == nil {
		m[k] = byName{}
	}
	return m[k]
}

func getOrC(m map[string]byNameConsumer, k string) byNameConsumer {
	if m[k] == nil {
		m[k] = byNameConsumer{}
	}
	return m[k]
}

func getOrCKey(m map[scopeKey]byNameConsumer, k scopeKey) byNameConsumer {
	if m[k] == nil {
		m[k] = byNameConsumer{}
	}
	return m[k]
}

// PlanFor returns the plan of a route (serviceID "" for a route without
// service). Routes without route-specific plugins share their service's
// plan; those without any share the global one.
func (s *Set) PlanFor(routeID, serviceID string) *Plan {
	if s == nil {
		return nil
	}
	k := scopeKey{routeID, serviceID}
	routeSpecific := len(s.route[routeID]) > 0 || len(s.routeService[k]) > 0 || len(s.routeCons[routeID]) > 0 || len(s.rsCons[k]) > 0
	if routeSpecific {
		return s.plan(routeID, serviceID)
	}
	if serviceID == "" || (len(s.service[serviceID]) == 0 && len(s.serviceCons[serviceID]) == 0) {
		return s.Global
	}
	if p, ok := s.byServicePlan[serviceID]; ok {
		return p
	}
	p := s.plan("", serviceID)
	s.byServicePlan[serviceID] = p
	return p
}

func (s *Set) plan(routeID, serviceID string) *Plan {
	k := scopeKey{routeID, serviceID}
	names := map[string]int{}
	collect := func(m byName) {
		for n, i := range m {
			names[n] = i.Priority
		}
	}
	collectC := func(m byNameConsumer) {
		for n, cs := range m {
			for _, i := range cs {
				names[n] = i.Priority
				break
			}
		}
	}
	collect(s.global)
	collectC(s.consumer)
	if routeID != "" {
		collect(s.route[routeID])
		collectC(s.routeCons[routeID])
	}
	if serviceID != "" {
		collect(s.service[serviceID])
		collectC(s.serviceCons[serviceID])
	}
	if routeID != "" && serviceID != "" {
		collect(s.routeService[k])
		collectC(s.rsCons[k])
	}
	p := &Plan{entries: make([]entry, 0, len(names))}
	for n, prio := range names {
		e := entry{name: n, priority: prio, consumerOnly: s.consumer[n]}
		if routeID != "" && serviceID != "" {
			e.routeService = s.routeService[k][n]
		}
		// Levels 1-3, most specific first.
		var levels []map[string]*Instance
		if routeID != "" && serviceID != "" {
			levels = append(levels, s.rsCons[k][n])
		}
		if routeID != "" {
			levels = append(levels, s.routeCons[routeID][n])
		}
		if serviceID != "" {
			levels = append(levels, s.serviceCons[serviceID][n])
		}
		for li := len(levels) - 1; li >= 0; li-- {
			for cid, inst := range levels[li] {
				if e.withConsumer == nil {
					e.withConsumer = map[string]*Instance{}
				}
				e.withConsumer[cid] = inst // more specific levels overwrite
			}
		}
		switch {
		case routeID != "" && s.route[routeID][n] != nil:
			e.tail = s.route[routeID][n]
		case serviceID != "" && s.service[serviceID][n] != nil:
			e.tail = s.service[serviceID][n]
		default:
			e.tail = s.global[n]
		}
		p.entries = append(p.entries, e)
	}
	sort.Slice(p.entries, func(i, j int) bool {
		if p.entries[i].priority != p.entries[j].priority {
			return p.entries[i].priority > p.entries[j].priority
		}
		return p.entries[i].name < p.entries[j].name
	})
	return p
}

// ---- running phases --------------------------------------------------------

// Rewrite runs the rewrite handlers of global plugins (before routing).
func (s *Set) Rewrite(c *Context) {
	if s == nil {
		return
	}
	c.phase = PhaseRewrite
	for _, i := range s.rewrite {
		if c.exited {
			return
		}
		if i.allows(c.scheme) {
			c.current = i
			i.rewrite.Rewrite(c)
		}
	}
}

// Access resolves each plugin's config for the request (the consumer
// known so far decides consumer-scoped configs) and runs its access
// handler in PRIORITY order. After an exit, the remaining plugins are
// still collected, so their response and log handlers run, as in Kong.
func (p *Plan) Access(c *Context) {
	c.phase = PhaseAccess
	if p == nil {
		return
	}
	for idx := range p.entries {
		e := &p.entries[idx]
		cid := ""
		if c.consumer != nil {
			cid = c.consumer.ID
		}
		i := e.resolve(cid)
		if i == nil || !i.allows(c.scheme) {
			continue
		}
		c.active = append(c.active, i)
		if !c.exited && i.access != nil {
			c.current = i
			i.access.Access(c)
		}
	}
	c.current = nil
}

// Collect records the plan's plugins without running access handlers, for
// responses produced before access (no route matched), so their response
// and log handlers still run.
func (p *Plan) Collect(c *Context) {
	if p == nil {
		return
	}
	for idx := range p.entries {
		if i := p.entries[idx].resolve(""); i != nil && i.allows(c.scheme) {
			c.active = append(c.active, i)
		}
	}
}

// RunResponse runs the response handlers of the collected plugins.
func (c *Context) RunResponse() {
	c.phase = PhaseResponse
	for _, i := range c.active {
		if i.response != nil {
			c.current = i
			i.response.Response(c)
		}
	}
	c.current = nil
}

// RunBody runs the body handlers of the collected plugins.
func (c *Context) RunBody() {
	c.phase = PhaseBody
	for _, i := range c.active {
		if i.body != nil {
			c.current = i
			i.body.Body(c)
		}
	}
	c.current = nil
}

// RunLog runs the log handlers of the collected plugins.
func (c *Context) RunLog() {
	c.phase = PhaseLog
	for _, i := range c.active {
		if i.log != nil {
			c.current = i
			i.log.Log(c)
		}
	}
	c.current = nil
}

// HasLog reports whether any collected plugin has a log handler, so the
// engine can skip log preparation.
func (c *Context) HasLog() bool {
	for _, i := range c.active {
		if i.log != nil {
			return true
		}
	}
	return false
}

// Instance returns the plugin instance whose handler is running.
func (c *Context) Instance() *Instance { return c.current }

// SetLocal stores a per-request value private to the running plugin
// instance (kong.ctx.plugin), e.g. headers computed in access and sent in
// the response phase.
func (c *Context) SetLocal(v any) {
	for i := range c.locals {
		if c.locals[i].inst == c.current {
			c.locals[i].val = v
			return
		}
	}
	c.locals = append(c.locals, local{c.current, v})
}

// Local returns the value the running instance stored with SetLocal.
func (c *Context) Local() any {
	for i := range c.locals {
		if c.locals[i].inst == c.current {
			return c.locals[i].val
		}
	}
	return nil
}

type local struct {
	inst *Instance
	val  any
}

func foreignID(v any) string {
	if m, ok := v.(map[string]any); ok {
		return str(m["id"])
	}
	return ""
}
