package prometheus

import (
	"sync"
	"sync/atomic"
)

// Histogram buckets of Kong 3.9's exporter.lua, in milliseconds.
var (
	kongLatencyBuckets     = newBuckets(1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000)
	upstreamLatencyBuckets = newBuckets(25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000)
)

// buckets are histogram bounds with their le label values as Kong
// exposes them ("25", not "25.0").
type buckets struct {
	bounds []float64
	text   []string
}

func newBuckets(bounds ...float64) *buckets {
	b := &buckets{bounds: bounds}
	for _, v := range bounds {
		b.text = append(b.text, luaNumber(v))
	}
	return b
}

// statusKey labels gatewayd_http_requests_total.
type statusKey struct {
	service, route, consumer string
	code                     int
	// fromService is the source label: "service" when the upstream
	// answered, "kong" otherwise.
	fromService bool
}

// consumerKey labels gatewayd_bandwidth_bytes (direction aside).
type consumerKey struct{ service, route, consumer string }

// routeKey labels the latency histograms.
type routeKey struct{ service, route string }

type bandwidth struct{ ingress, egress atomic.Uint64 }

// atomic64 is a counter value.
type atomic64 = atomic.Uint64

type latencies struct{ kong, upstream, request histogram }

// histogram counts observations in the first bucket they fit (one atomic
// add; the cumulative le counts are summed when rendering), with their
// count and sum. Latencies are whole milliseconds, so the sum is an
// integer.
type histogram struct {
	buckets *buckets
	counts  []atomic.Uint64
	count   atomic.Uint64
	sum     atomic.Int64
}

func (h *histogram) init(b *buckets) {
	h.buckets = b
	h.counts = make([]atomic.Uint64, len(b.bounds))
}

func (h *histogram) observe(v int64) {
	f := float64(v)
	for i, b := range h.buckets.bounds {
		if f <= b {
			h.counts[i].Add(1)
			break
		}
	}
	h.count.Add(1)
	h.sum.Add(v)
}

// series maps label sets to their values. Reads are lock free (an atomic
// map pointer); a new label set copies the map under a mutex, which is
// rare once traffic has been seen.
type series[K comparable, V any] struct {
	mu sync.Mutex
	m  atomic.Pointer[map[K]*V]
}

func (s *series[K, V]) get(k K, init func(*V)) *V {
	if m := s.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
	}
	n := make(map[K]*V, 1+lenOf(old))
	if old != nil {
		for k2, v2 := range *old {
			n[k2] = v2
		}
	}
	v := new(V)
	if init != nil {
		init(v)
	}
	n[k] = v
	s.m.Store(&n)
	return v
}

// each calls f for every label set.
func (s *series[K, V]) each(f func(K, *V)) {
	if m := s.m.Load(); m != nil {
		for k, v := range *m {
			f(k, v)
		}
	}
}

func lenOf[K comparable, V any](m *map[K]*V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// registry holds every metric recorded by prometheus instances. One
// registry lives in the plugin Host, so counters survive configuration
// changes and /metrics renders the same data whatever the snapshot.
type registry struct {
	status    series[statusKey, atomic64]
	bandwidth series[consumerKey, bandwidth]
	latency   series[routeKey, latencies]
	// exportHealth turns gatewayd_upstream_target_health on once an
	// instance with upstream_health_metrics logged a request; like Kong,
	// it stays on until restart.
	exportHealth atomic.Bool
	// errors is gatewayd_nginx_metric_errors_total.
	errors atomic.Uint64
}

func newRegistry() *registry { return &registry{} }

func initLatencies(l *latencies) {
	l.kong.init(kongLatencyBuckets)
	l.upstream.init(upstreamLatencyBuckets)
	l.request.init(upstreamLatencyBuckets)
}

// sample is what one request contributes, computed by the Log handler.
type sample struct {
	service, route, consumer string
	code                     int
	fromService              bool

	status, bandwidth, latency bool

	ingress, egress int64
	// kongMs and requestMs are always known; upstreamMs is negative when
	// no upstream was called.
	kongMs, upstreamMs, requestMs int64
}

// record applies a sample to the registry: a few atomic adds after one
// map lookup per metric family, no allocation once a label set exists.
func (r *registry) record(s *sample) {
	if s.status {
		r.status.get(statusKey{s.service, s.route, s.consumer, s.code, s.fromService}, nil).Add(1)
	}
	if s.bandwidth && (s.ingress > 0 || s.egress > 0) {
		b := r.bandwidth.get(consumerKey{s.service, s.route, s.consumer}, nil)
		if s.ingress > 0 {
			b.ingress.Add(uint64(s.ingress))
		}
		if s.egress > 0 {
			b.egress.Add(uint64(s.egress))
		}
	}
	if s.latency {
		l := r.latency.get(routeKey{s.service, s.route}, initLatencies)
		if s.requestMs >= 0 {
			l.request.observe(s.requestMs)
		}
		if s.upstreamMs >= 0 {
			l.upstream.observe(s.upstreamMs)
		}
		if s.kongMs >= 0 {
			l.kong.observe(s.kongMs)
		}
	}
}
