package prometheus

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// ---- a tiny exposition-format parser ---------------------------------

type parsedSample struct {
	name   string
	labels map[string]string
	value  float64
}

type parsedFamily struct {
	name, help, typ string
	samples         []parsedSample
}

// parseExposition parses the text format 0.0.4 strictly enough to catch
// rendering mistakes: every sample belongs to the family declared by the
// HELP/TYPE lines before it, families appear once, label values are
// quoted and escaped, series are unique, and histogram buckets are
// cumulative, in increasing order, ending with +Inf equal to _count.
func parseExposition(t *testing.T, text string) map[string]*parsedFamily {
	t.Helper()
	fams := map[string]*parsedFamily{}
	var cur *parsedFamily
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "# HELP "):
			parts := strings.SplitN(l[len("# HELP "):], " ", 2)
			if len(parts) != 2 {
				t.Fatalf("line %d: bad HELP %q", n, l)
			}
			if fams[parts[0]] != nil {
				t.Fatalf("line %d: family %s declared twice", n, parts[0])
			}
			cur = &parsedFamily{name: parts[0], help: parts[1]}
			fams[parts[0]] = cur
		case strings.HasPrefix(l, "# TYPE "):
			parts := strings.SplitN(l[len("# TYPE "):], " ", 2)
			if cur == nil || parts[0] != cur.name || len(parts) != 2 {
				t.Fatalf("line %d: TYPE %q does not follow its HELP", n, l)
			}
			switch parts[1] {
			case "counter", "gauge", "histogram":
			default:
				t.Fatalf("line %d: type %q", n, parts[1])
			}
			cur.typ = parts[1]
		case strings.HasPrefix(l, "#") || l == "":
			t.Fatalf("line %d: unexpected %q", n, l)
		default:
			s := parseSample(t, n, l)
			if cur == nil || cur.typ == "" {
				t.Fatalf("line %d: sample before any TYPE", n)
			}
			base := s.name
			if cur.typ == "histogram" {
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					base = strings.TrimSuffix(base, suffix)
				}
			}
			if base != cur.name {
				t.Fatalf("line %d: sample %s inside family %s", n, s.name, cur.name)
			}
			id := s.name + fmt.Sprint(sortedLabels(s.labels)) + s.labels["le"]
			if seen[id] {
				t.Fatalf("line %d: duplicate series %s", n, id)
			}
			seen[id] = true
			cur.samples = append(cur.samples, s)
		}
	}
	for _, f := range fams {
		if f.typ == "histogram" {
			checkHistogram(t, f)
		}
	}
	return fams
}

func parseSample(t *testing.T, n int, l string) parsedSample {
	t.Helper()
	s := parsedSample{labels: map[string]string{}}
	i := strings.IndexAny(l, "{ ")
	if i <= 0 {
		t.Fatalf("line %d: bad sample %q", n, l)
	}
	s.name = l[:i]
	rest := l[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for rest[0] != '}' {
			eq := strings.IndexByte(rest, '=')
			if eq <= 0 || len(rest) < eq+2 || rest[eq+1] != '"' {
				t.Fatalf("line %d: bad label in %q", n, l)
			}
			name := rest[:eq]
			rest = rest[eq+2:]
			var v strings.Builder
			j := 0
			for ; j < len(rest) && rest[j] != '"'; j++ {
				if rest[j] == '\\' {
					j++
					switch rest[j] {
					case 'n':
						v.WriteByte('\n')
					case '\\', '"':
						v.WriteByte(rest[j])
					default:
						t.Fatalf("line %d: bad escape in %q", n, l)
					}
					continue
				}
				v.WriteByte(rest[j])
			}
			if j >= len(rest) {
				t.Fatalf("line %d: unterminated label value in %q", n, l)
			}
			if _, dup := s.labels[name]; dup {
				t.Fatalf("line %d: label %s twice", n, name)
			}
			s.labels[name] = v.String()
			rest = rest[j+1:]
			if rest[0] == ',' {
				rest = rest[1:]
			} else if rest[0] != '}' {
				t.Fatalf("line %d: bad label separator in %q", n, l)
			}
		}
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, " ") {
		t.Fatalf("line %d: no value in %q", n, l)
	}
	v, err := strconv.ParseFloat(rest[1:], 64)
	if err != nil {
		t.Fatalf("line %d: value %q: %v", n, rest[1:], err)
	}
	s.value = v
	return s
}

func sortedLabels(m map[string]string) []string {
	var out []string
	for k, v := range m {
		if k != "le" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

func checkHistogram(t *testing.T, f *parsedFamily) {
	t.Helper()
	type acc struct {
		les    []float64
		counts []float64
		count  float64
	}
	byLabels := map[string]*acc{}
	get := func(s parsedSample) *acc {
		k := fmt.Sprint(sortedLabels(s.labels))
		if byLabels[k] == nil {
			byLabels[k] = &acc{count: -1}
		}
		return byLabels[k]
	}
	for _, s := range f.samples {
		a := get(s)
		switch {
		case strings.HasSuffix(s.name, "_bucket"):
			le := s.labels["le"]
			v, err := strconv.ParseFloat(le, 64)
			if le == "+Inf" {
				v, err = float64(1<<62), nil
			}
			if err != nil {
				t.Fatalf("%s: bad le %q", f.name, le)
			}
			if n := len(a.les); n > 0 && (v <= a.les[n-1] || s.value < a.counts[n-1]) {
				t.Fatalf("%s: buckets out of order or not cumulative at le=%s", f.name, le)
			}
			a.les, a.counts = append(a.les, v), append(a.counts, s.value)
		case strings.HasSuffix(s.name, "_count"):
			a.count = s.value
		}
	}
	for k, a := range byLabels {
		if len(a.les) == 0 || a.les[len(a.les)-1] != float64(1<<62) || a.counts[len(a.counts)-1] != a.count {
			t.Fatalf("%s%s: +Inf bucket missing or different from _count", f.name, k)
		}
	}
}

// value returns the sample of family fam whose labels include want.
func value(t *testing.T, fams map[string]*parsedFamily, name string, want map[string]string) (float64, bool) {
	t.Helper()
	fam := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
	f := fams[fam]
	if f == nil {
		f = fams[name]
	}
	if f == nil {
		return 0, false
	}
next:
	for _, s := range f.samples {
		if s.name != name {
			continue
		}
		for k, v := range want {
			if s.labels[k] != v {
				continue next
			}
		}
		return s.value, true
	}
	return 0, false
}

// ---- helpers ---------------------------------------------------------

func scrape(t *testing.T, h *plugin.Host) (string, map[string]*parsedFamily) {
	t.Helper()
	eps := endpoints(h)
	if len(eps) != 1 || eps[0].Path != "/metrics" {
		t.Fatalf("endpoints: %+v", eps)
	}
	rec := httptest.NewRecorder()
	eps[0].Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Fatalf("/metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	return body, parseExposition(t, body)
}

func withPlugin(t *testing.T, config schema.Doc) *plugintest.Harness {
	t.Helper()
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": config})
	return h
}

var rid = plugintest.RouteID

// ---- tests -----------------------------------------------------------

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{}})
	cfg := doc["config"].(map[string]any)
	for _, k := range []string{"per_consumer", "status_code_metrics", "ai_metrics", "latency_metrics", "bandwidth_metrics", "upstream_health_metrics"} {
		if cfg[k] != false {
			t.Errorf("%s defaults to %v", k, cfg[k])
		}
	}
	if msg := h.PluginError(schema.Doc{"name": Name, "config": schema.Doc{"per_consumer": "yes"}}); msg != "schema violation (config.per_consumer: expected a boolean)" {
		t.Fatalf("got %q", msg)
	}
	if msg := h.PluginError(schema.Doc{"name": Name, "config": schema.Doc{"ai_metrics": true}}); msg != "" {
		t.Fatalf("ai_metrics must be accepted: %q", msg)
	}
}

func TestStatusCodeCountersByLabels(t *testing.T) {
	h := withPlugin(t, schema.Doc{"status_code_metrics": true})
	h.Do(plugintest.Request{}, plugintest.Upstream{Status: 200})
	h.Do(plugintest.Request{}, plugintest.Upstream{Status: 200})
	h.Do(plugintest.Request{}, plugintest.Upstream{Status: 404})
	body, fams := scrape(t, h.Host)
	want := `gatewayd_http_requests_total{service="",route="` + rid + `",code="200",source="service",workspace="default",consumer=""} 2`
	if !strings.Contains(body, want+"\n") {
		t.Fatalf("missing %s in\n%s", want, body)
	}
	if v, _ := value(t, fams, "gatewayd_http_requests_total", map[string]string{"code": "404"}); v != 1 {
		t.Fatalf("404 count %v", v)
	}
	if f := fams["gatewayd_http_requests_total"]; f.typ != "counter" || f.help != "HTTP status codes per consumer/service/route in Kong" {
		t.Fatalf("family %+v", f)
	}
}

func TestExitsCountWithSourceKong(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "test-deny", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"status_code_metrics": true}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	_, fams := scrape(t, h.Host)
	if v, ok := value(t, fams, "gatewayd_http_requests_total", map[string]string{"code": "403", "source": "kong"}); !ok || v != 1 {
		t.Fatalf("exit not counted with source=kong: %v %v", v, ok)
	}
}

func TestPerConsumerLabel(t *testing.T) {
	for _, perConsumer := range []bool{true, false} {
		t.Run(fmt.Sprint("per_consumer=", perConsumer), func(t *testing.T) {
			h := plugintest.New(t)
			h.Consumer("alice")
			h.Plugin(schema.Doc{"name": "test-auth-prom", "config": schema.Doc{}})
			h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"per_consumer": perConsumer, "status_code_metrics": true, "bandwidth_metrics": true}})
			h.Do(plugintest.Request{Headers: [][2]string{{"X-User", "alice"}}}, plugintest.Upstream{Body: []byte("hello")})
			_, fams := scrape(t, h.Host)
			want := ""
			if perConsumer {
				want = "alice"
			}
			if _, ok := value(t, fams, "gatewayd_http_requests_total", map[string]string{"consumer": want}); !ok {
				t.Fatalf("no http_requests_total with consumer=%q", want)
			}
			if _, ok := value(t, fams, "gatewayd_bandwidth_bytes", map[string]string{"consumer": want, "direction": "egress"}); !ok {
				t.Fatalf("no bandwidth_bytes with consumer=%q", want)
			}
		})
	}
}

// Kong's granular switches: each flag exports its family and no other.
func TestFlagsGateFamilies(t *testing.T) {
	families := map[string]string{
		"status_code_metrics":     "gatewayd_http_requests_total",
		"latency_metrics":         "gatewayd_kong_latency_ms",
		"bandwidth_metrics":       "gatewayd_bandwidth_bytes",
		"upstream_health_metrics": "gatewayd_upstream_target_health",
	}
	for flag, fam := range families {
		t.Run(flag, func(t *testing.T) {
			h := withPlugin(t, schema.Doc{flag: true})
			h.Host.Targets = func() []plugin.TargetHealth {
				return []plugin.TargetHealth{{Upstream: "up", Target: "a:80", Address: "10.0.0.1:80", State: "healthy"}}
			}
			h.Do(plugintest.Request{}, plugintest.Upstream{Body: []byte("x")})
			_, fams := scrape(t, h.Host)
			for other, otherFam := range families {
				if _, present := fams[otherFam]; present != (other == flag) {
					t.Errorf("%s present=%v with only %s on", otherFam, present, flag)
				}
			}
			if fam == "gatewayd_kong_latency_ms" && (fams["gatewayd_upstream_latency_ms"] == nil || fams["gatewayd_request_latency_ms"] == nil) {
				t.Error("latency_metrics exports three histograms")
			}
		})
	}
	t.Run("no flags", func(t *testing.T) {
		h := withPlugin(t, schema.Doc{})
		h.Do(plugintest.Request{}, plugintest.Upstream{})
		_, fams := scrape(t, h.Host)
		for _, fam := range families {
			if fams[fam] != nil {
				t.Errorf("%s exported without its flag", fam)
			}
		}
	})
}

func TestLatencyHistograms(t *testing.T) {
	h := withPlugin(t, schema.Doc{"latency_metrics": true})
	// Every clock read moves 10ms: Started, UpstreamStarted, UpstreamDone,
	// then the log phase, so request=30ms, upstream=10ms, kong=20ms.
	base := time.Unix(1_700_000_000, 0)
	calls := 0
	h.Host.Now = func() time.Time { calls++; return base.Add(time.Duration(calls) * 10 * time.Millisecond) }
	h.Set() // compile with the ticking clock
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	body, fams := scrape(t, h.Host)
	lbl := map[string]string{"service": "", "route": rid, "workspace": "default"}
	check := func(name, le string, want float64) {
		t.Helper()
		l := map[string]string{"le": le}
		for k, v := range lbl {
			l[k] = v
		}
		if got, ok := value(t, fams, name, l); !ok || got != want {
			t.Errorf("%s{le=%s} = %v (%v), want %v\n%s", name, le, got, ok, want, body)
		}
	}
	check("gatewayd_kong_latency_ms_bucket", "15", 0)
	check("gatewayd_kong_latency_ms_bucket", "20", 1)
	check("gatewayd_kong_latency_ms_bucket", "+Inf", 1)
	check("gatewayd_upstream_latency_ms_bucket", "25", 1)
	check("gatewayd_request_latency_ms_bucket", "25", 0)
	check("gatewayd_request_latency_ms_bucket", "50", 1)
	if v, _ := value(t, fams, "gatewayd_kong_latency_ms_sum", lbl); v != 20 {
		t.Errorf("kong sum %v", v)
	}
	if v, _ := value(t, fams, "gatewayd_request_latency_ms_sum", lbl); v != 30 {
		t.Errorf("request sum %v", v)
	}
	// Kong's bucket bounds, in order, as label values.
	var les []string
	for _, s := range fams["gatewayd_kong_latency_ms"].samples {
		if s.name == "gatewayd_kong_latency_ms_bucket" {
			les = append(les, s.labels["le"])
		}
	}
	if got := strings.Join(les, ","); got != "1,2,5,7,10,15,20,30,50,75,100,200,500,750,1000,+Inf" {
		t.Fatalf("kong buckets %s", got)
	}
}

func TestExitsHaveNoUpstreamLatency(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "test-deny", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"latency_metrics": true}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	_, fams := scrape(t, h.Host)
	if fams["gatewayd_upstream_latency_ms"] != nil {
		t.Fatal("upstream latency observed for a response no upstream produced")
	}
	if fams["gatewayd_kong_latency_ms"] == nil || fams["gatewayd_request_latency_ms"] == nil {
		t.Fatal("kong and request latencies are always observed")
	}
}

func TestBandwidth(t *testing.T) {
	h := withPlugin(t, schema.Doc{"bandwidth_metrics": true})
	h.Do(plugintest.Request{Method: "POST", Body: []byte("0123456789")}, plugintest.Upstream{Body: []byte("abcdefghij")})
	_, fams := scrape(t, h.Host)
	in, ok1 := value(t, fams, "gatewayd_bandwidth_bytes", map[string]string{"direction": "ingress", "workspace": "default"})
	out, ok2 := value(t, fams, "gatewayd_bandwidth_bytes", map[string]string{"direction": "egress"})
	if !ok1 || !ok2 || in < 10 || out < 10 {
		t.Fatalf("ingress %v egress %v", in, out)
	}
}

func TestRequestsWithoutServiceAreNotRecorded(t *testing.T) {
	h := withPlugin(t, schema.Doc{"status_code_metrics": true})
	h.Do(plugintest.Request{NoRoute: true}, plugintest.Upstream{})
	_, fams := scrape(t, h.Host)
	if fams["gatewayd_http_requests_total"] != nil {
		t.Fatal("a request that matched no route/service must not be recorded")
	}
}

func TestNodeLevelMetrics(t *testing.T) {
	h := plugintest.New(t)
	h.Host.ServerStatus = func() map[string]any {
		return map[string]any{"connections_accepted": int64(10), "connections_active": int64(3), "connections_handled": int64(9),
			"connections_reading": 0, "connections_writing": int64(2), "connections_waiting": 1, "total_requests": int64(42)}
	}
	h.Host.DatastoreReachable = func() bool { return false }
	body, fams := scrape(t, h.Host)
	for state, want := range map[string]float64{"accepted": 10, "active": 3, "handled": 9, "reading": 0, "writing": 2, "waiting": 1, "total": 42} {
		if v, ok := value(t, fams, "gatewayd_nginx_connections_total", map[string]string{"node_id": "node-id", "subsystem": "http", "state": state}); !ok || v != want {
			t.Errorf("connections %s = %v (%v)", state, v, ok)
		}
	}
	for _, want := range []string{
		`gatewayd_nginx_requests_total{node_id="node-id",subsystem="http"} 42`,
		`gatewayd_datastore_reachable 0`,
		`gatewayd_node_info{node_id="node-id",version="0.0.0-test"} 1`,
		`gatewayd_nginx_metric_errors_total 0`,
		"# HELP gatewayd_datastore_reachable Datastore reachable from Kong, 0 is unreachable\n# TYPE gatewayd_datastore_reachable gauge",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
}

func TestMetricsAnswerWithNilHostCallbacksAndNoInstance(t *testing.T) {
	host := plugin.NewHost("n1", "h", "1.2.3", nil)
	body, fams := scrape(t, host)
	if fams["gatewayd_node_info"] == nil || fams["gatewayd_datastore_reachable"] == nil || fams["gatewayd_nginx_connections_total"] != nil {
		t.Fatalf("node metrics without callbacks:\n%s", body)
	}
	rec := httptest.NewRecorder()
	endpoints(host)[0].Handler.ServeHTTP(rec, httptest.NewRequest("POST", "/metrics", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST /metrics: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	endpoints(host)[0].Handler.ServeHTTP(rec, httptest.NewRequest("HEAD", "/metrics", nil))
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Fatalf("HEAD /metrics: %d %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestUpstreamTargetHealth(t *testing.T) {
	h := withPlugin(t, schema.Doc{"upstream_health_metrics": true})
	h.Host.Targets = func() []plugin.TargetHealth {
		return []plugin.TargetHealth{
			{Upstream: "up1", Target: "a.test:80", Address: "10.0.0.1:80", State: "healthy"},
			{Upstream: "up1", Target: "b.test:80", Address: "10.0.0.2:80", State: "dns_error"},
		}
	}
	_, fams := scrape(t, h.Host)
	if fams["gatewayd_upstream_target_health"] != nil {
		t.Fatal("exported before any instance logged a request (Kong turns it on in the log phase)")
	}
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	body, fams := scrape(t, h.Host)
	for _, tc := range []struct {
		target, address, state string
		want                   float64
	}{
		{"a.test:80", "10.0.0.1:80", "healthy", 1},
		{"a.test:80", "10.0.0.1:80", "unhealthy", 0},
		{"a.test:80", "10.0.0.1:80", "healthchecks_off", 0},
		{"b.test:80", "", "dns_error", 1},
		{"b.test:80", "", "healthy", 0},
	} {
		v, ok := value(t, fams, "gatewayd_upstream_target_health",
			map[string]string{"upstream": "up1", "target": tc.target, "address": tc.address, "state": tc.state, "subsystem": "http"})
		if !ok || v != tc.want {
			t.Errorf("%+v = %v (%v)\n%s", tc, v, ok, body)
		}
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	h := plugintest.New(t)
	h.Consumer("we\"ird\\name")
	h.Plugin(schema.Doc{"name": "test-auth-prom", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"per_consumer": true, "status_code_metrics": true}})
	h.Do(plugintest.Request{Headers: [][2]string{{"X-User", "we\"ird\\name"}}}, plugintest.Upstream{})
	body, fams := scrape(t, h.Host)
	if !strings.Contains(body, `consumer="we\"ird\\name"`) {
		t.Fatalf("label not escaped:\n%s", body)
	}
	if _, ok := value(t, fams, "gatewayd_http_requests_total", map[string]string{"consumer": "we\"ird\\name"}); !ok {
		t.Fatal("escaped value does not parse back")
	}
	if got := escapeLabel("a\nb\xffc"); got != `a\nb` {
		t.Fatalf("escapeLabel = %q", got)
	}
}

func TestOutputIsSortedLikeKongs(t *testing.T) {
	h := withPlugin(t, schema.Doc{"status_code_metrics": true, "latency_metrics": true, "bandwidth_metrics": true})
	h.Do(plugintest.Request{}, plugintest.Upstream{Status: 500})
	h.Do(plugintest.Request{RouteID: "00000000-0000-4000-8000-0000000000aa"}, plugintest.Upstream{Status: 200})
	body, _ := scrape(t, h.Host)
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(l, "# HELP ") {
			names = append(names, strings.Fields(l)[2])
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Fatalf("families not sorted: %v", names)
	}
}

func TestCountersSurviveConfigurationChanges(t *testing.T) {
	h := withPlugin(t, schema.Doc{"status_code_metrics": true})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	h.Plugin(schema.Doc{"name": Name, "route": plugintest.Ref("00000000-0000-4000-8000-0000000000bb"), "config": schema.Doc{"status_code_metrics": true}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	_, fams := scrape(t, h.Host)
	if v, _ := value(t, fams, "gatewayd_http_requests_total", map[string]string{"code": "200"}); v != 2 {
		t.Fatalf("count %v after a recompile, want 2", v)
	}
}

// Recording must not allocate: a request through the harness costs the
// same with prometheus as with a log plugin that does nothing.
func TestLogPhaseDoesNotAllocate(t *testing.T) {
	measure := func(name string, config schema.Doc) float64 {
		h := plugintest.New(t)
		h.Plugin(schema.Doc{"name": name, "config": config})
		req, up := plugintest.Request{URI: "/a"}, plugintest.Upstream{Body: []byte("x")}
		h.Do(req, up) // create the label sets
		return testing.AllocsPerRun(50, func() { h.Do(req, up) })
	}
	base := measure("test-noop-log", schema.Doc{})
	got := measure(Name, schema.Doc{"status_code_metrics": true, "latency_metrics": true, "bandwidth_metrics": true, "per_consumer": true})
	if got-base >= 1 {
		t.Fatalf("prometheus log phase allocates %.1f times per request", got-base)
	}
}

// BenchmarkPrometheusLog measures recording one request with every
// family on (the Log handler's work after reading the context), serially
// and from all cores at once on the same label set.
func BenchmarkPrometheusLog(b *testing.B) {
	s := sample{service: "orders", route: "orders-route", consumer: "alice", code: 200, fromService: true,
		status: true, bandwidth: true, latency: true, ingress: 512, egress: 2048, kongMs: 2, upstreamMs: 35, requestMs: 37}
	b.Run("serial", func(b *testing.B) {
		reg := newRegistry()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			reg.record(&s)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		reg := newRegistry()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			s := s
			for pb.Next() {
				reg.record(&s)
			}
		})
	})
}

func BenchmarkPrometheusRender(b *testing.B) {
	reg := newRegistry()
	for i := 0; i < 100; i++ {
		reg.record(&sample{service: "svc", route: "route-" + strconv.Itoa(i), code: 200 + i%3, status: true, latency: true,
			bandwidth: true, ingress: 10, egress: 10, kongMs: int64(i), upstreamMs: int64(i), requestMs: int64(2 * i)})
	}
	host := plugin.NewHost("n", "h", "v", nil)
	var sb strings.Builder
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sb.Reset()
		if err := render(&sb, reg, host); err != nil {
			b.Fatal(err)
		}
	}
}

// ---- test plugins ----------------------------------------------------

func init() {
	plugin.Register(plugin.Spec{Name: "test-auth-prom", Priority: 1250,
		New: func(*plugin.Env) (any, error) { return testAuth{}, nil }})
	plugin.Register(plugin.Spec{Name: "test-deny", Priority: 2,
		New: func(*plugin.Env) (any, error) { return testDeny{}, nil }})
	plugin.Register(plugin.Spec{Name: "test-noop-log", Priority: 13,
		New: func(*plugin.Env) (any, error) { return noopLog{}, nil }})
}

type testAuth struct{}

func (testAuth) Access(c *plugin.Context) {
	if cons := c.LoadConsumer(string(c.Header("X-User"))); cons != nil {
		c.Authenticate(cons, &plugin.Credential{ID: "cred", ConsumerID: cons.ID, Identifier: cons.Username})
	}
}

type testDeny struct{}

func (testDeny) Access(c *plugin.Context) { c.Error(403, "denied") }

type noopLog struct{}

func (noopLog) Log(*plugin.Context) {}
