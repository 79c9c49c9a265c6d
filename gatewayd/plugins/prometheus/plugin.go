// Package prometheus is Kong's prometheus plugin: it records request
// metrics (status codes, latencies, bandwidth) in a registry kept by the
// plugin Host, and serves them with node-level metrics on /metrics in the
// Prometheus text format. Metric names, labels and buckets are Kong
// 3.9's, with the kong_ prefix renamed gatewayd_.
package prometheus

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "prometheus"
	Priority = 13
)

// keepKey is the registry's name in the plugin Host.
const keepKey = "prometheus"

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Expose metrics related to the gateway and proxied upstream services in Prometheus exposition format.",
		Config:      configFields(),
		New:         New,
		Endpoints:   endpoints,
	})
}

// prometheus is one compiled configuration: which families it records.
type prometheus struct {
	reg                                     *registry
	perConsumer, status, latency, bandwidth bool
	health                                  bool
	now                                     func() time.Time
}

// New compiles one prometheus configuration against the Host's registry.
func New(env *plugin.Env) (any, error) {
	reg, err := keptRegistry(env.Host)
	if err != nil {
		return nil, err
	}
	cfg := env.Config
	p := &prometheus{reg: reg,
		perConsumer: cfg["per_consumer"] == true,
		status:      cfg["status_code_metrics"] == true,
		latency:     cfg["latency_metrics"] == true,
		bandwidth:   cfg["bandwidth_metrics"] == true,
		health:      cfg["upstream_health_metrics"] == true,
		now:         env.Host.Now,
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

func keptRegistry(h *plugin.Host) (*registry, error) {
	v, err := h.Keep(keepKey, func() (any, error) { return newRegistry(), nil })
	if err != nil {
		return nil, err
	}
	r, ok := v.(*registry)
	if !ok {
		return nil, fmt.Errorf("prometheus: unexpected value %T kept as %q", v, keepKey)
	}
	return r, nil
}

// Log records the request, as Kong's handler and exporter.log do: nothing
// for requests without a service; labels from the service name (or host),
// the route name (or id) and, with per_consumer, the consumer's username.
func (p *prometheus) Log(c *plugin.Context) {
	if p.health && !p.reg.exportHealth.Load() {
		p.reg.exportHealth.Store(true)
	}
	if !p.status && !p.latency && !p.bandwidth {
		return
	}
	svc := c.Service()
	if svc == nil {
		return
	}
	s := sample{service: svc.Name, status: p.status, latency: p.latency, bandwidth: p.bandwidth}
	if s.service == "" {
		s.service, _ = svc.Doc["host"].(string)
	}
	if rt := c.Route(); rt != nil {
		s.route = rt.Name
		if s.route == "" {
			s.route = rt.ID
		}
	}
	if p.perConsumer {
		if cons := c.Consumer(); cons != nil {
			s.consumer = cons.Username
		}
	}
	if p.status {
		s.code = c.Status()
		s.fromService = c.Source() == "service"
	}
	if p.bandwidth {
		s.ingress = int64(c.RequestSize())
		n := 0
		c.VisitResponseHeaders(func(_, _ []byte) { n++ })
		s.egress = int64(c.ResponseSize() + 16*n)
	}
	if p.latency {
		s.requestMs = p.now().Sub(c.Started).Milliseconds()
		s.upstreamMs = -1
		if !c.UpstreamStarted.IsZero() && !c.UpstreamDone.IsZero() {
			s.upstreamMs = c.UpstreamDone.Sub(c.UpstreamStarted).Milliseconds()
		}
		// Time spent in the gateway: the request minus the upstream wait.
		s.kongMs = max(s.requestMs-max(s.upstreamMs, 0), 0)
	}
	p.reg.record(&s)
}

// endpoints serves /metrics. The registry is looked up in the Host on
// every scrape, so it answers before any prometheus instance exists and
// follows the registry across configuration changes.
func endpoints(h *plugin.Host) []plugin.Endpoint {
	return []plugin.Endpoint{{Path: "/metrics", Handler: metricsHandler{h}}}
}

type metricsHandler struct{ host *plugin.Host }

func (m metricsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = io.WriteString(w, `{"message":"Method not allowed"}`)
		return
	}
	reg, err := keptRegistry(m.host)
	if err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"An unexpected error occurred"}`)
		return
	}
	var buf bytes.Buffer
	if err := render(&buf, reg, m.host); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(buf.Bytes())
	}
}
