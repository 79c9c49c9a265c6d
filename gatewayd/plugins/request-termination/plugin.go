// Package requesttermination implements Kong's request-termination plugin
// (kong/plugins/request-termination): it answers requests itself with a
// fixed status and message or body, or echoes the request back, without
// calling the upstream.
package requesttermination

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"os"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "request-termination",
		Priority:    2,
		Description: "Terminate incoming requests with a fixed response, or echo them back.",
		Config:      configFields(),
		Checks:      []schema.Check{configCheck{}},
		New:         New,
	})
}

// defaultMessages is Kong's DEFAULT_RESPONSE table.
var defaultMessages = map[int]string{
	401: "Unauthorized",
	404: "Not found",
	405: "Method not allowed",
	500: "An unexpected error occurred",
	502: "Bad Gateway",
	503: "Service unavailable",
}

const jsonType = "application/json; charset=utf-8"

// Terminator is one compiled request-termination configuration.
type Terminator struct {
	status int
	// body and contentType are the literal response (config.body, or the
	// {"message": ...} document precomputed from the message).
	body        []byte
	contentType string
	echo        bool
	// message is the echo document's message ("" = none).
	message    string
	hasMessage bool
	trigger    string
	triggerAlt string // trigger with '_' as '-', as ngx header lookups normalize
	kong       map[string]any
}

// New precomputes the response.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	t := &Terminator{status: 503, echo: cfg["echo"] == true}
	if n, ok := cfg["status_code"].(float64); ok {
		t.status = int(n)
	}
	if s, ok := cfg["trigger"].(string); ok {
		t.trigger = s
		if strings.Contains(s, "_") {
			t.triggerAlt = strings.ReplaceAll(s, "_", "-")
		}
	}
	t.message, t.hasMessage = cfg["message"].(string)
	if !t.hasMessage {
		t.message, t.hasMessage = defaultMessages[t.status]
	}
	switch body, ok := cfg["body"].(string); {
	case t.echo:
		t.kong = map[string]any{"node_id": env.Host.NodeID, "worker_pid": os.Getpid(), "hostname": env.Host.Hostname}
	case ok:
		t.body = []byte(body)
		t.contentType, _ = cfg["content_type"].(string)
	case t.hasMessage:
		b, err := encodeJSON(map[string]any{"message": t.message})
		if err != nil {
			return nil, err
		}
		t.body, t.contentType = b, jsonType
	}
	return t, nil
}

// Access ends the request, unless a trigger is configured and absent.
func (t *Terminator) Access(c *plugin.Context) {
	if t.trigger != "" && !t.triggered(c) {
		return
	}
	if t.echo {
		c.ExitJSON(t.status, t.echoDocument(c))
		return
	}
	c.Exit(t.status, t.body, t.contentType)
}

func (t *Terminator) triggered(c *plugin.Context) bool {
	if c.Header(t.trigger) != nil || c.HasQuery(t.trigger) {
		return true
	}
	return t.triggerAlt != "" && c.Header(t.triggerAlt) != nil
}

// echoDocument builds Kong's echo body: the request as Kong's PDK sees
// it and the matched route and service.
func (t *Terminator) echoDocument(c *plugin.Context) map[string]any {
	raw := c.Body()
	req := map[string]any{
		"scheme":       c.Scheme(),
		"host":         hostOnly(string(c.Host())),
		"port":         c.Port(),
		"headers":      requestHeaders(c),
		"query":        requestQuery(c),
		"raw_body":     string(raw),
		"method":       string(c.Method()),
		"path":         string(c.Path()),
		"uri_captures": map[string]any{"named": map[string]any{}, "unnamed": []any{}},
	}
	if body := parseBody(string(c.ContentType()), raw); body != nil {
		req["body"] = body
	}
	doc := map[string]any{"kong": t.kong, "request": req}
	if t.hasMessage {
		doc["message"] = t.message
	}
	if r := c.Route(); r != nil && r.Doc != nil {
		doc["matched_route"] = r.Doc
	}
	if s := c.Service(); s != nil && s.Doc != nil {
		doc["matched_service"] = s.Doc
	}
	return doc
}

// requestHeaders is kong.request.get_headers(): lowercase names, repeated
// headers as arrays.
func requestHeaders(c *plugin.Context) map[string]any {
	out := map[string]any{}
	c.VisitHeaders(func(k, v []byte) {
		addMulti(out, strings.ToLower(string(k)), string(v))
	})
	return out
}

// requestQuery is kong.request.get_query(): arguments without a value are
// true, repeated ones arrays.
func requestQuery(c *plugin.Context) map[string]any {
	out := map[string]any{}
	c.VisitQuery(func(k, v []byte) {
		var val any = string(v)
		if len(v) == 0 {
			val = true
		}
		addMulti(out, string(k), val)
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

// parseBody is kong.request.get_body(): JSON, urlencoded and multipart
// bodies decoded; nil for other or undecodable bodies.
func parseBody(contentType string, raw []byte) any {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "application/json"):
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil
		}
		return v
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		out := map[string]any{}
		for _, pair := range strings.Split(string(raw), "&") {
			if pair == "" {
				continue
			}
			k, v, hasValue := strings.Cut(pair, "=")
			key, err := url.QueryUnescape(k)
			if err != nil || key == "" {
				continue
			}
			var val any = true
			if hasValue {
				s, err := url.QueryUnescape(v)
				if err != nil {
					s = v
				}
				val = s
			}
			addMulti(out, key, val)
		}
		return out
	case strings.Contains(ct, "multipart/form-data"):
		_, params, err := mime.ParseMediaType(contentType)
		if err != nil || params["boundary"] == "" {
			return map[string]any{}
		}
		out := map[string]any{}
		r := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			v, _ := io.ReadAll(p)
			if name := p.FormName(); name != "" {
				out[name] = string(v)
			}
		}
		return out
	}
	return nil
}

// hostOnly strips the port from a Host header value and lowercases it
// (kong.request.get_host).
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			h = h[:i+1]
		}
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return strings.ToLower(h)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
