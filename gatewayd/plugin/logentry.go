package plugin

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// LogEntry is Kong's log serializer output (kong/pdk/log.lua serialize),
// shared by every log plugin. Secrets in Authorization and
// Proxy-Authorization headers are replaced by "REDACTED".
type LogEntry struct {
	Request             LogRequest     `json:"request"`
	UpstreamURI         string         `json:"upstream_uri"`
	UpstreamStatus      string         `json:"upstream_status,omitempty"`
	Response            LogResponse    `json:"response"`
	Tries               []LogTry       `json:"tries"`
	Latencies           LogLatencies   `json:"latencies"`
	AuthenticatedEntity map[string]any `json:"authenticated_entity,omitempty"`
	Route               map[string]any `json:"route,omitempty"`
	Service             map[string]any `json:"service,omitempty"`
	Consumer            map[string]any `json:"consumer,omitempty"`
	ClientIP            string         `json:"client_ip"`
	StartedAt           int64          `json:"started_at"`
	Source              string         `json:"source"`
	Workspace           string         `json:"workspace"`
	WorkspaceName       string         `json:"workspace_name"`
}

// LogRequest is the request part of a LogEntry.
type LogRequest struct {
	ID          string         `json:"id"`
	URI         string         `json:"uri"`
	URL         string         `json:"url"`
	QueryString map[string]any `json:"querystring"`
	Method      string         `json:"method"`
	Headers     map[string]any `json:"headers"`
	Size        int            `json:"size"`
}

// LogResponse is the response part of a LogEntry.
type LogResponse struct {
	Status  int            `json:"status"`
	Headers map[string]any `json:"headers"`
	Size    int            `json:"size"`
}

// LogTry is one upstream attempt.
type LogTry struct {
	IP   string `json:"ip"`
	Port int    `json:"port"`
}

// LogLatencies are in milliseconds: kong = gateway time (request minus
// upstream), proxy = upstream time, request = total.
type LogLatencies struct {
	Kong    int64 `json:"kong"`
	Proxy   int64 `json:"proxy"`
	Request int64 `json:"request"`
	Receive int64 `json:"receive"`
}

// DefaultWorkspace is the id Kong OSS reports for its only workspace.
const DefaultWorkspace = "00000000-0000-0000-0000-000000000000"

// LogEntry serializes the request once; every log plugin of the request
// shares the result and must not modify it.
func (c *Context) LogEntry() *LogEntry {
	if c.logEntry != nil {
		return c.logEntry
	}
	fc := c.fc
	e := &LogEntry{ClientIP: c.ClientIPString(), StartedAt: c.Started.UnixMilli(), Source: c.Source(),
		Workspace: DefaultWorkspace, WorkspaceName: "default", UpstreamURI: c.UpstreamURI}
	uri := string(c.rawURI)
	e.Request = LogRequest{
		ID:          string(c.requestID),
		URI:         uri,
		URL:         c.scheme + "://" + string(fc.Request.Header.Host()) + uri,
		QueryString: map[string]any{},
		Method:      string(fc.Request.Header.Method()),
		Headers:     headerMap(fc.Request.Header.VisitAll),
		Size:        c.RequestSize(),
	}
	c.VisitQuery(func(k, v []byte) {
		key := string(k)
		val := any(string(v))
		if len(v) == 0 {
			val = true
		}
		addMulti(e.Request.QueryString, key, val)
	})
	e.Response = LogResponse{Status: fc.Response.StatusCode(), Headers: headerMap(fc.Response.Header.VisitAll),
		Size: len(fc.Response.Body()) + fc.Response.Header.Len()*16}
	end := c.UpstreamDone
	total := sinceMs(c.Started, nowFunc())
	e.Latencies.Request = total
	if !c.UpstreamStarted.IsZero() && !end.IsZero() {
		e.Latencies.Proxy = end.Sub(c.UpstreamStarted).Milliseconds()
		e.UpstreamStatus = strconv.Itoa(fc.Response.StatusCode())
	}
	e.Latencies.Kong = total - e.Latencies.Proxy
	if e.Latencies.Kong < 0 {
		e.Latencies.Kong = 0
	}
	e.Tries = []LogTry{}
	if c.UpstreamAddr != "" {
		host, port := splitAddr(c.UpstreamAddr)
		e.Tries = append(e.Tries, LogTry{IP: host, Port: port})
	}
	if c.route != nil {
		e.Route = c.route.Doc
	}
	if c.service != nil {
		e.Service = c.service.Doc
	}
	if c.consumer != nil {
		e.Consumer = c.consumer.Doc
	}
	if c.credential != nil {
		e.AuthenticatedEntity = map[string]any{"id": c.credential.ID, "consumer_id": map[string]any{"id": c.credential.ConsumerID}}
	}
	c.logEntry = e
	return e
}

func headerMap(visit func(func(k, v []byte))) map[string]any {
	out := map[string]any{}
	visit(func(k, v []byte) {
		key := strings.ToLower(string(k))
		val := string(v)
		if key == "authorization" || key == "proxy-authorization" {
			val = "REDACTED"
		}
		addMulti(out, key, val)
	})
	return out
}

func addMulti(m map[string]any, key string, val any) {
	switch cur := m[key].(type) {
	case nil:
		m[key] = val
	case []any:
		m[key] = append(cur, val)
	default:
		m[key] = []any{cur, val}
	}
}

func splitAddr(a string) (string, int) {
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return a, 0
	}
	p, _ := strconv.Atoi(a[i+1:])
	return strings.Trim(a[:i], "[]"), p
}

// LogLine returns the log entry as one JSON line ending in "\n", encoded
// like Kong's cjson (no HTML escaping) once per request however many log
// plugins ask. The slice may be kept (queues do) but never modified.
func (c *Context) LogLine() ([]byte, error) {
	if c.logLine == nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c.LogEntry()); err != nil {
			return nil, err
		}
		c.logLine = buf.Bytes()
	}
	return c.logLine, nil
}

// marshalJSON encodes like Kong's cjson for exit bodies: no HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
