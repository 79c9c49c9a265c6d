package prometheus

import (
	"fmt"
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

// line is one exposition line. key is the sort key Kong's library uses:
// the full metric name with bucket bounds zero-padded so they sort
// numerically and the +Inf bucket stored as "Inf" so it sorts last.
type line struct {
	key, text string
	fam       *family
}

// exposition collects lines, then writes them sorted, each family
// preceded by its HELP and TYPE, as Kong's Prometheus:metric_data does.
type exposition struct{ lines []line }

func (e *exposition) add(fam *family, key, text string, value float64) {
	e.lines = append(e.lines, line{key: key, text: prefix + text + " " + luaNumber(value) + "\n", fam: fam})
}

// labels renders {k1="v1",...}; extra is appended inside the braces.
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
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return r.Replace(v)
}

func (e *exposition) gauge(fam *family, names, values []string, v float64) {
	name := fam.name
	if len(names) > 0 {
		name += labels(names, values)
	}
	e.add(fam, name, name, v)
}

func (e *exposition) histogram(fam *family, names, values []string, h *histogram) {
	if h.count.Load() == 0 {
		return
	}
	lbl := labels(names, values)
	inner := lbl[1 : len(lbl)-1]
	format := bucketFormat(h.buckets)
	// Load count first: buckets observed since then only make le counts
	// larger than it, so clamp to keep +Inf the largest.
	count := h.count.Load()
	var cumulative uint64
	for i, b := range h.buckets {
		cumulative = min(cumulative+h.counts[i].Load(), count)
		keyLe := fmt.Sprintf(format, b)
		e.add(fam, fam.name+"_bucket{"+inner+`,le="`+keyLe+`"}`, fam.name+"_bucket{"+inner+`,le="`+luaNumber(b)+`"}`,
			float64(cumulative))
	}
	e.add(fam, fam.name+"_bucket{"+inner+`,le="Inf"}`, fam.name+"_bucket{"+inner+`,le="+Inf"}`, float64(count))
	e.add(fam, fam.name+"_count"+lbl, fam.name+"_count"+lbl, float64(count))
	e.add(fam, fam.name+"_sum"+lbl, fam.name+"_sum"+lbl, float64(h.sum.Load()))
}

// bucketFormat is Kong's construct_bucket_format: enough leading and
// trailing zeros for every bound to sort as text.
func bucketFormat(buckets []float64) string {
	order, precision := 1, 1
	for _, b := range buckets {
		s := strings.TrimRight(strconv.FormatFloat(b, 'f', 6, 64), "0")
		dot := strings.IndexByte(s, '.')
		order = max(order, dot)
		precision = max(precision, len(s)-dot-1)
	}
	return "%0" + strconv.Itoa(order+precision+1) + "." + strconv.Itoa(precision) + "f"
}

// luaNumber formats like Lua's tostring: integers without a fraction,
// other numbers with 14 significant digits.
func luaNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 14, 64)
}

func (e *exposition) write(w io.Writer) error {
	sort.Slice(e.lines, func(i, j int) bool { return e.lines[i].key < e.lines[j].key })
	var b strings.Builder
	var last *family
	for _, l := range e.lines {
		if l.fam != last {
			last = l.fam
			b.WriteString("# HELP " + prefix + l.fam.name + " " + l.fam.help + "\n")
			b.WriteString("# TYPE " + prefix + l.fam.name + " " + l.fam.typ + "\n")
		}
		b.WriteString(l.text)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// render writes the registry and the node-level gauges in the Prometheus
// text format 0.0.4.
func render(w io.Writer, r *registry, h *plugin.Host) error {
	var e exposition
	nodeID, version := "", ""
	if h != nil {
		nodeID, version = h.NodeID, h.Version
	}

	r.status.each(func(k statusKey, v *atomic64) {
		source := "kong"
		if k.fromService {
			source = "service"
		}
		e.gauge(&famStatus, []string{"service", "route", "code", "source", "workspace", "consumer"},
			[]string{k.service, k.route, strconv.Itoa(k.code), source, workspace, k.consumer}, float64(v.Load()))
	})
	r.bandwidth.each(func(k consumerKey, v *bandwidth) {
		names := []string{"service", "route", "direction", "workspace", "consumer"}
		if n := v.ingress.Load(); n > 0 {
			e.gauge(&famBandwidth, names, []string{k.service, k.route, "ingress", workspace, k.consumer}, float64(n))
		}
		if n := v.egress.Load(); n > 0 {
			e.gauge(&famBandwidth, names, []string{k.service, k.route, "egress", workspace, k.consumer}, float64(n))
		}
	})
	r.latency.each(func(k routeKey, v *latencies) {
		names, values := []string{"service", "route", "workspace"}, []string{k.service, k.route, workspace}
		e.histogram(&famKongLat, names, values, &v.kong)
		e.histogram(&famUpLat, names, values, &v.upstream)
		e.histogram(&famReqLat, names, values, &v.request)
	})

	if h != nil && h.ServerStatus != nil {
		st := h.ServerStatus()
		for _, s := range connectionStates {
			if v, ok := number(st[s[1]]); ok {
				e.gauge(&famConns, []string{"node_id", "subsystem", "state"}, []string{nodeID, "http", s[0]}, v)
			}
		}
		if v, ok := number(st["total_requests"]); ok {
			e.gauge(&famRequests, []string{"node_id", "subsystem"}, []string{nodeID, "http"}, v)
		}
	}
	reachable := 1.0 // no datastore to lose (DB-less)
	if h != nil && h.DatastoreReachable != nil && !h.DatastoreReachable() {
		reachable = 0
	}
	e.gauge(&famDatastore, nil, nil, reachable)
	e.gauge(&famNodeInfo, []string{"node_id", "version"}, []string{nodeID, version}, 1)
	e.gauge(&famErrors, nil, nil, float64(r.errors.Load()))

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
				e.gauge(&famHealth, []string{"upstream", "target", "address", "state", "subsystem"},
					[]string{t.Upstream, t.Target, address, s, "http"}, v)
			}
		}
	}
	return e.write(w)
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
