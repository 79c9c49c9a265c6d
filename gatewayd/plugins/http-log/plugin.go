// Package httplog is Kong's http-log plugin: it sends Kong's log entry of
// every request, as JSON, to an HTTP endpoint through a retrying batch
// queue that outlives configuration changes.
package httplog

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "http-log"
	Priority = 12
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Send request and response logs to an HTTP server.",
		Config:      configFields(),
		Checks:      []schema.Check{userinfoCheck{}},
		New:         New,
	})
}

// httpLog is one compiled http-log configuration.
type httpLog struct {
	q *queue
}

// New compiles one http-log configuration. Instances with the same
// endpoint and queue settings share one queue, kept across configuration
// changes and closed (flushed) when no configuration uses it any more.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	log := env.Logger
	if log == nil {
		log = env.Host.Logger
	}
	qc := queueParams(cfg)
	for _, w := range deprecations(cfg) {
		log.Warn(w)
	}
	s, err := newSender(cfg, qc.maxBatchSize)
	if err != nil {
		return nil, err
	}
	name := queueName(cfg)
	key, err := keepKey(cfg, qc)
	if err != nil {
		return nil, err
	}
	v, err := env.Host.Keep(key, func() (any, error) {
		q := newQueue(name, qc, s.send, log)
		q.onClose = s.client.CloseIdleConnections
		return q, nil
	})
	if err != nil {
		return nil, err
	}
	return &httpLog{q: v.(*queue)}, nil
}

// keepKey names a queue in the Host: Kong's queue name (which shares one
// queue between instances logging to the same server) plus the queue
// parameters and headers, so a changed configuration gets a new queue and
// the old one is flushed and closed.
func keepKey(cfg schema.Doc, qc queueConfig) (string, error) {
	fingerprint, err := json.Marshal(map[string]any{"queue": cfg["queue"], "batch": qc.maxBatchSize,
		"delay": qc.maxCoalescingDelay, "headers": cfg["headers"]})
	if err != nil {
		return "", err
	}
	return "http-log/" + queueName(cfg) + "/" + string(fingerprint), nil
}

// Log serializes the request and queues it.
func (p *httpLog) Log(c *plugin.Context) {
	line, err := c.LogLine()
	if err != nil {
		c.Logger().Error("http-log: encoding the log entry", "error", err)
		return
	}
	p.q.enqueue(line[:len(line)-1]) // one JSON value; batches join them
}

// queueParams reads the queue record, folding in the deprecated
// queue_size and flush_timeout as Kong's Queue.get_plugin_params does.
func queueParams(cfg schema.Doc) queueConfig {
	q, _ := cfg["queue"].(map[string]any)
	seconds := func(v any, def float64) time.Duration {
		return time.Duration(num(v, def) * float64(time.Second))
	}
	qc := queueConfig{
		maxBatchSize:       int(num(q["max_batch_size"], 1)),
		maxCoalescingDelay: seconds(q["max_coalescing_delay"], 1),
		maxEntries:         int(num(q["max_entries"], 10000)),
		maxBytes:           int(num(q["max_bytes"], 0)),
		maxRetryTime:       seconds(q["max_retry_time"], 60),
		initialRetryDelay:  seconds(q["initial_retry_delay"], 0.01),
		maxRetryDelay:      seconds(q["max_retry_delay"], 60),
		unlimited:          num(q["concurrency_limit"], 1) == -1,
	}
	if n, ok := cfg["queue_size"].(float64); ok && n != 1 {
		qc.maxBatchSize = int(n)
	}
	if n, ok := cfg["flush_timeout"].(float64); ok && n != 2 {
		qc.maxCoalescingDelay = time.Duration(n * float64(time.Second))
	}
	if qc.maxBatchSize < 1 {
		qc.maxBatchSize = 1
	}
	if qc.maxEntries < 1 {
		qc.maxEntries = 1
	}
	return qc
}

// deprecations lists Kong's warnings for the legacy parameters.
func deprecations(cfg schema.Doc) []string {
	var out []string
	if n, ok := cfg["retry_count"].(float64); ok && n != 10 {
		out = append(out, "http-log: the retry_count parameter no longer works, please update your configuration "+
			"to use initial_retry_delay and max_retry_time instead")
	}
	if n, ok := cfg["queue_size"].(float64); ok && n != 1 {
		out = append(out, "http-log: the queue_size parameter is deprecated, please update your configuration "+
			"to use queue.max_batch_size instead")
	}
	if n, ok := cfg["flush_timeout"].(float64); ok && n != 2 {
		out = append(out, "http-log: the flush_timeout parameter is deprecated, please update your configuration "+
			"to use queue.max_coalescing_delay instead")
	}
	return out
}

// queueName is Kong's make_queue_name: the legacy parameters joined with
// ":" (Lua's string.format ignores the last two of its eight arguments).
func queueName(cfg schema.Doc) string {
	parts := []string{luaString(cfg["http_endpoint"]), luaString(cfg["method"]), luaString(cfg["content_type"]),
		luaString(cfg["timeout"]), luaString(cfg["keepalive"]), luaString(cfg["retry_count"])}
	return strings.Join(parts, ":")
}

// luaString formats a config value as Lua's tostring.
func luaString(v any) string {
	switch t := v.(type) {
	case nil:
		return "nil"
	case string:
		return t
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'g', 14, 64)
	}
	return fmt.Sprint(v)
}

// sender posts batches to the log server (Kong's send_entries).
type sender struct {
	client       *http.Client
	method       string
	url          string
	hostHeader   string
	hostPort     string
	contentType  string
	auth         string
	headers      [][2]string
	maxBatchSize int
}

func newSender(cfg schema.Doc, maxBatchSize int) (*sender, error) {
	endpoint, _ := cfg["http_endpoint"].(string)
	u := parseURL(endpoint)
	if u.host == "" || u.scheme == "" {
		return nil, fmt.Errorf("http-log: invalid http_endpoint")
	}
	port := 0
	switch {
	case u.port != "":
		p, err := strconv.Atoi(u.port)
		if err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("http-log: invalid port %q in http_endpoint", u.port)
		}
		port = p
	case strings.EqualFold(u.scheme, "https"):
		port = 443
	default:
		port = 80
	}
	path := u.path
	if path == "" {
		path = "/"
	}
	hostPort := net.JoinHostPort(u.host, strconv.Itoa(port))
	s := &sender{
		method:       str(cfg["method"], "POST"),
		contentType:  str(cfg["content_type"], "application/json"),
		hostPort:     hostPort,
		hostHeader:   u.host,
		maxBatchSize: maxBatchSize,
		// Like Kong, the endpoint's query string is not sent: the URL is
		// scheme://host:port/path.
		url: strings.ToLower(u.scheme) + "://" + hostPort + path,
	}
	if strings.Contains(u.host, ":") {
		s.hostHeader = "[" + u.host + "]"
	}
	if (port != 80 || !strings.EqualFold(u.scheme, "http")) && (port != 443 || !strings.EqualFold(u.scheme, "https")) {
		s.hostHeader += ":" + strconv.Itoa(port)
	}
	if u.hasUserinfo {
		s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.userinfo))
	}
	if h, ok := cfg["headers"].(map[string]any); ok {
		names := make([]string, 0, len(h))
		for name := range h {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if v, ok := h[name].(string); ok {
				s.headers = append(s.headers, [2]string{name, v})
			}
		}
	}
	timeout := time.Duration(num(cfg["timeout"], 10000) * float64(time.Millisecond))
	keepalive := time.Duration(num(cfg["keepalive"], 60000) * float64(time.Millisecond))
	s.client = &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
			IdleConnTimeout:     keepalive,
			MaxIdleConnsPerHost: 4,
			DisableCompression:  true,
			// Kong sends logs with ssl_verify = false.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // Kong parity
		},
	}
	return s, nil
}

// send posts one batch: a single entry as is when max_batch_size is 1,
// else a JSON array. Any status below 300 is success.
func (s *sender) send(ctx context.Context, entries [][]byte) error {
	var body []byte
	if s.maxBatchSize == 1 && len(entries) == 1 {
		body = entries[0]
	} else {
		n := 2
		for _, e := range entries {
			n += len(e) + 1
		}
		body = make([]byte, 0, n)
		body = append(body, '[')
		for i, e := range entries {
			if i > 0 {
				body = append(body, ',')
			}
			body = append(body, e...)
		}
		body = append(body, ']')
	}
	req, err := http.NewRequestWithContext(ctx, s.method, s.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Host = s.hostHeader
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", s.contentType)
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	for _, h := range s.headers {
		// Configured headers never override Content-Type or Authorization.
		if req.Header.Get(h[0]) == "" {
			req.Header.Set(h[0], h[1])
		}
	}
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("failed request to %s: %w", s.hostPort, err)
	}
	defer res.Body.Close()
	respBody, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	if res.StatusCode < 300 {
		return nil
	}
	return fmt.Errorf("request to %s returned status code %d and body %s", s.hostPort, res.StatusCode, respBody)
}

func num(v any, def float64) float64 {
	if n, ok := v.(float64); ok {
		return n
	}
	return def
}

func str(v any, def string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}
