package prometheus

import (
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// prefix replaces Kong's "kong_" in every metric name.
const prefix = "gatewayd_"

// workspace is the only workspace of Kong OSS.
const workspace = "default"

// family is one metric's HELP and TYPE.
type family struct{ name, help, typ string }

// Kong 3.9's metric families (exporter.lua), by their unprefixed names.
var (
	famBandwidth = family{"bandwidth_bytes", "Total bandwidth (ingress/egress) throughput in bytes", "counter"}
	famDatastore = family{"datastore_reachable", "Datastore reachable from Kong, 0 is unreachable", "gauge"}
	famStatus    = family{"http_requests_total", "HTTP status codes per consumer/service/route in Kong", "counter"}
	famKongLat   = family{"kong_latency_ms", "Latency added by Kong and enabled plugins for each service/route in Kong", "histogram"}
	famConns     = family{"nginx_connections_total", "Number of connections by subsystem", "gauge"}
	famErrors    = family{"nginx_metric_errors_total", "Number of nginx-lua-prometheus errors", "counter"}
	famRequests  = family{"nginx_requests_total", "Number of requests total", "gauge"}
	famNodeInfo  = family{"node_info", "Kong Node metadata information", "gauge"}
	famReqLat    = family{"request_latency_ms", "Total latency incurred during requests for each service/route in Kong", "histogram"}
	famUpLat     = family{"upstream_latency_ms", "Latency added by upstream response for each service/route in Kong", "histogram"}
	famHealth    = family{"upstream_target_health", "Health status of targets of upstream. States = " +
		"healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.", "gauge"}
)

// healthStates are the states of gatewayd_upstream_target_health, one
// series each per target address.
var healthStates = []string{"healthchecks_off", "healthy", "unhealthy", "dns_error"}

// connectionStates maps the states of gatewayd_nginx_connections_total to
// Host.ServerStatus keys, as Kong maps kong.nginx.get_statistics().
var connectionStates = [][2]string{
	{"accepted", "connections_accepted"}, {"handled", "connections_handled"}, {"total", "total_requests"},
	{"active", "connections_active"}, {"reading", "connections_reading"}, {"writing", "connections_writing"},
	{"waiting", "connections_waiting"},
}

// labels renders {k1="v1",...}.
func labels(names, values []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(values[i]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// escapeLabel cuts a value at its first invalid UTF-8 byte (as Kong does)
// and escapes backslash, double quote and newline.
func escapeLabel(v string) string {
	if !utf8.ValidString(v) {
		for i, r := range v {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(v[i:]); size <= 1 {
					v = v[:i]
					break
				}
			}
		}
	}
	if !strings.ContainsAny(v, "\\\"\n") {
		return v
	}
	return labelEscaper.Replace(v)
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// point is one counter or gauge sample: its labels and value.
type point struct {
	labels string
	value  float64
}

// histSeries is one histogram label set.
type histSeries struct {
	inner string // labels without braces
	h     *histogram
}

// exposition writes families in name order, each with its HELP and TYPE
// and its samples sorted by labels: the order Kong's library produces by
// sorting every full metric name (histogram buckets by bound, then every
// _count, then every _sum).
type exposition struct{ b strings.Builder }

func (e *exposition) header(f *family) {
	e.b.WriteString("# HELP " + prefix + f.name + " " + f.help + "\n")
	e.b.WriteString("# TYPE " + prefix + f.name + " " + f.typ + "\n")
}

func (e *exposition) sample(name, labels string, v float64) {
	e.b.WriteString(prefix)
	e.b.WriteString(name)
	e.b.WriteString(labels)
	e.b.WriteByte(' ')
	e.b.WriteString(luaNumber(v))
	e.b.WriteByte('\n')
}

func (e *exposition) family(f *family, list []point) {
	if len(list) == 0 {
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].labels < list[j].labels })
	e.header(f)
	for _, s := range list {
		e.sample(f.name, s.labels, s.value)
	}
}

func (e *exposition) histograms(f *family, list []histSeries) {
	if len(list) == 0 {
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].inner < list[j].inner })
	e.header(f)
	counts := make([]uint64, len(list))
	for i, s := range list {
		// Load count first: buckets observed since only make the le
		// counts larger, so clamp them to keep +Inf the largest.
		counts[i] = s.h.count.Load()
		var cumulative uint64
		b := s.h.buckets
		for j := range b.bounds {
			cumulative = min(cumulative+s.h.counts[j].Load(), counts[i])
			e.sample(f.name+"_bucket", "{"+s.inner+`,le="`+b.text[j]+`"}`, float64(cumulative))
		}
		e.sample(f.name+"_bucket", "{"+s.inner+`,le="+Inf"}`, float64(counts[i]))
	}
	for i, s := range list {
		e.sample(f.name+"_count", "{"+s.inner+"}", float64(counts[i]))
	}
	for _, s := range list {
		e.sample(f.name+"_sum", "{"+s.inner+"}", float64(s.h.sum.Load()))
	}
}

// luaNumber formats like Lua's tostring: integers without a fraction,
// other numbers with 14 significant digits.
func luaNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 14, 64)
}

// render writes the registry and the node-level gauges in the Prometheus
// text format 0.0.4.
func render(w io.Writer, r *registry, h *plugin.Host) error {
	nodeID, version := "", ""
	if h != nil {
		nodeID, version = h.NodeID, h.Version
	}
	var status, bw, conns, requests, health []point
	var kongLat, upLat, reqLat []histSeries

	r.status.each(func(k statusKey, v *atomic64) {
		source := "kong"
		if k.fromService {
			source = "service"
		}
		status = append(status, point{labels([]string{"service", "route", "code", "source", "workspace", "consumer"},
			[]string{k.service, k.route, strconv.Itoa(k.code), source, workspace, k.consumer}), float64(v.Load())})
	})
	r.bandwidth.each(func(k consumerKey, v *bandwidth) {
		names := []string{"service", "route", "direction", "workspace", "consumer"}
		if n := v.ingress.Load(); n > 0 {
			bw = append(bw, point{labels(names, []string{k.service, k.route, "ingress", workspace, k.consumer}), float64(n)})
		}
		if n := v.egress.Load(); n > 0 {
			bw = append(bw, point{labels(names, []string{k.service, k.route, "egress", workspace, k.consumer}), float64(n)})
		}
	})
	r.latency.each(func(k routeKey, v *latencies) {
		l := labels([]string{"service", "route", "workspace"}, []string{k.service, k.route, workspace})
		inner := l[1 : len(l)-1]
		for _, x := range []struct {
			list *[]histSeries
			h    *histogram
		}{{&kongLat, &v.kong}, {&upLat, &v.upstream}, {&reqLat, &v.request}} {
			if x.h.count.Load() > 0 {
				*x.list = append(*x.list, histSeries{inner, x.h})
			}
		}
	})
	if h != nil && h.ServerStatus != nil {
		st := h.ServerStatus()
		for _, s := range connectionStates {
			if v, ok := number(st[s[1]]); ok {
				conns = append(conns, point{labels([]string{"node_id", "subsystem", "state"}, []string{nodeID, "http", s[0]}), v})
			}
		}
		if v, ok := number(st["total_requests"]); ok {
			requests = append(requests, point{labels([]string{"node_id", "subsystem"}, []string{nodeID, "http"}), v})
		}
	}
	reachable := 1.0 // no datastore to lose (DB-less)
	if h != nil && h.DatastoreReachable != nil && !h.DatastoreReachable() {
		reachable = 0
	}
	if r.exportHealth.Load() && h != nil && h.Targets != nil {
		for _, t := range h.Targets() {
			address, state := t.Address, t.State
			if state == "dns_error" {
				address = ""
			}
			for _, s := range healthStates {
				v := 0.0
				if s == state {
					v = 1
				}
				health = append(health, point{labels([]string{"upstream", "target", "address", "state", "subsystem"},
					[]string{t.Upstream, t.Target, address, s, "http"}), v})
			}
		}
	}

	var e exposition
	e.family(&famBandwidth, bw)
	e.family(&famDatastore, []point{{"", reachable}})
	e.family(&famStatus, status)
	e.histograms(&famKongLat, kongLat)
	e.family(&famConns, conns)
	e.family(&famErrors, []point{{"", float64(r.errors.Load())}})
	e.family(&famRequests, requests)
	e.family(&famNodeInfo, []point{{labels([]string{"node_id", "version"}, []string{nodeID, version}), 1}})
	e.histograms(&famReqLat, reqLat)
	e.histograms(&famUpLat, upLat)
	e.family(&famHealth, health)
	_, err := io.WriteString(w, e.b.String())
	return err
}

// number converts a ServerStatus value.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}
