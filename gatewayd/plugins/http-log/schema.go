package httplog

import (
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

const (
	msgLuaUnsupported           = "custom_fields_by_lua is not supported: gatewayd does not run Lua code; leave it null or empty"
	msgUserinfoAndAuthorization = "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed"
)

// configFields is http-log's config record (kong/plugins/http-log/
// schema.lua with kong/tools/queue_schema.lua, Kong 3.9).
func configFields() []*schema.Field {
	headerName := schema.HeaderName("")
	headerName.MatchNone = []schema.Pattern{
		{Desc: "^[Hh][Oo][Ss][Tt]$", Test: func(s string) bool { return strings.EqualFold(s, "host") },
			Err: "cannot contain 'Host' header"},
		// Kong's pattern reads [nn] for the N of Length: only a lowercase
		// n is refused there, and so it is here.
		{Desc: "^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Ll][Ee][nn][Gg][Tt][Hh]$", Test: isContentLength,
			Err: "cannot contain 'Content-Length' header"},
		{Desc: "^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Tt][Yy][Pp][Ee]$", Test: func(s string) bool { return strings.EqualFold(s, "content-type") },
			Err: "cannot contain 'Content-Type' header"},
	}
	return []*schema.Field{
		{Name: "http_endpoint", Kind: schema.String, Required: true, Sensitive: true, Custom: validateURL,
			Description: "The HTTP URL endpoint (including the protocol to use) to which the data is sent. If it " +
				"contains a username and password (http://user:password@example.com/logs), the log requests carry a " +
				"basic-auth Authorization header built from them."},
		{Name: "method", Kind: schema.String, Default: "POST", OneOf: schema.Strings("POST", "PUT", "PATCH"),
			Description: "An optional method used to send data to the HTTP server. Supported values are `POST` " +
				"(default), `PUT`, and `PATCH`."},
		{Name: "content_type", Kind: schema.String, Default: "application/json",
			OneOf:       schema.Strings("application/json", "application/json; charset=utf-8"),
			Description: "Indicates the type of data sent: `application/json` or `application/json; charset=utf-8`."},
		{Name: "timeout", Kind: schema.Number, Default: 10000.0,
			Description: "An optional timeout in milliseconds when sending data to the upstream server."},
		{Name: "keepalive", Kind: schema.Number, Default: 60000.0,
			Description: "An optional value in milliseconds that defines how long an idle connection will live " +
				"before being closed."},
		{Name: "retry_count", Kind: schema.Integer,
			Description: "Deprecated, has no effect: use queue.max_retry_time instead. Number of times to retry " +
				"when sending data to the upstream server."},
		{Name: "queue_size", Kind: schema.Integer,
			Description: "Deprecated: use queue.max_batch_size instead. Maximum number of log entries to be sent " +
				"on each message to the upstream server."},
		{Name: "flush_timeout", Kind: schema.Number,
			Description: "Deprecated: use queue.max_coalescing_delay instead. Optional time in seconds. If " +
				"`queue_size` > 1, this is the max idle time before sending a log with less than `queue_size` records."},
		{Name: "headers", Kind: schema.Map, Keys: headerName, Values: &schema.Field{Kind: schema.String},
			Description: "An optional table of headers included in the HTTP message to the upstream server. Values " +
				"are indexed by header name, and each header name accepts a single string. Host, Content-Length and " +
				"Content-Type cannot be set."},
		queueField(),
		luaCode(),
	}
}

// queueField is typedefs.queue (kong/tools/queue_schema.lua).
func queueField() *schema.Field {
	return &schema.Field{Name: "queue", Kind: schema.Record,
		Description: "Queue and retry settings of the log entries waiting to be sent.",
		Fields: []*schema.Field{
			{Name: "max_batch_size", Kind: schema.Integer, Default: 1.0, Between: &schema.Range{Min: 1, Max: 1000000},
				Description: "Maximum number of entries that can be processed at a time. Above 1, entries are sent " +
					"as a JSON array."},
			{Name: "max_coalescing_delay", Kind: schema.Number, Default: 1.0, Between: &schema.Range{Min: 0, Max: 3600},
				Description: "Maximum number of (fractional) seconds to elapse after the first entry was queued " +
					"before the queue starts calling the handler. No effect when max_batch_size is 1."},
			{Name: "max_entries", Kind: schema.Integer, Default: 10000.0, Between: &schema.Range{Min: 1, Max: 1000000},
				Description: "Maximum number of entries that can be waiting on the queue; when full, the oldest " +
					"entries are dropped."},
			{Name: "max_bytes", Kind: schema.Integer,
				Description: "Maximum number of bytes that can be waiting on a queue, requires string content."},
			{Name: "max_retry_time", Kind: schema.Number, Default: 60.0,
				Description: "Time in seconds before the queue gives up calling a failed handler for a batch. " +
					"With -1, a failed batch is not retried."},
			{Name: "initial_retry_delay", Kind: schema.Number, Default: 0.01, Between: &schema.Range{Min: 0.001, Max: 1000000},
				Description: "Time in seconds before the initial retry is made for a failing batch; each next " +
					"delay doubles, up to max_retry_delay."},
			{Name: "max_retry_delay", Kind: schema.Number, Default: 60.0, Between: &schema.Range{Min: 0.001, Max: 1000000},
				Description: "Maximum time in seconds between retries, caps exponential backoff."},
			{Name: "concurrency_limit", Kind: schema.Integer, Default: 1.0, OneOf: schema.Nums(-1, 1),
				Description: "The number of queue delivery workers: 1 sends batches one at a time, -1 sends every " +
					"entry at once, unqueued."},
		}}
}

// isContentLength is Kong's Content-Length pattern, [nn] included.
func isContentLength(s string) bool {
	return len(s) == len("content-length") && strings.EqualFold(s[:10], "content-le") &&
		s[10] == 'n' && strings.EqualFold(s[11:], "gth")
}

// luaCode is typedefs.lua_code, accepted only when null or empty.
func luaCode() *schema.Field {
	return &schema.Field{Name: "custom_fields_by_lua", Kind: schema.Map,
		Keys:   &schema.Field{Kind: schema.String, LenMin: 1},
		Values: &schema.Field{Kind: schema.String, LenMin: 1},
		Custom: func(v any) string {
			if m, ok := v.(map[string]any); ok && len(m) > 0 {
				return msgLuaUnsupported
			}
			return ""
		},
		Description: "Lua code computing extra log fields, in Kong. gatewayd runs no Lua: the field is accepted " +
			"only when null or empty."}
}

// validateURL is typedefs.url's validator (socket.url parsing).
func validateURL(v any) string {
	u := parseURL(v.(string))
	if u.host == "" {
		return "missing host in url"
	}
	if u.scheme == "" {
		return "missing scheme in url"
	}
	return ""
}

// userinfoCheck is the config's custom_validator: user info in the URL
// and an Authorization header are exclusive. Its error is the config's.
type userinfoCheck struct{}

func (userinfoCheck) Fields() []string { return []string{"config"} }
func (userinfoCheck) Describe() map[string]any {
	return nil
}
func (userinfoCheck) Validate(doc schema.Doc, errs schema.Errors) {
	cfg, _ := doc["config"].(map[string]any)
	endpoint, _ := cfg["http_endpoint"].(string)
	headers, _ := cfg["headers"].(map[string]any)
	if endpoint == "" || len(headers) == 0 || !parseURL(endpoint).hasUserinfo {
		return
	}
	for name := range headers {
		if strings.EqualFold(name, "authorization") {
			errs["config"] = msgUserinfoAndAuthorization
			return
		}
	}
}

// endpointURL is a URL split as LuaSocket's socket.url.parse does.
type endpointURL struct {
	scheme, userinfo, host, port, path, query string
	hasUserinfo                               bool
}

// parseURL follows socket.url.parse: fragment, then scheme
// (`^[%w][%w+-.]*:`), then authority (`^//[^/]*`), then query, then
// params; the authority gives user info (up to "@"), port (after the last
// ":") and host (brackets removed).
func parseURL(s string) endpointURL {
	var u endpointURL
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := schemeEnd(s); i > 0 {
		u.scheme, s = s[:i], s[i+1:]
	}
	authority, hasAuthority := "", false
	if strings.HasPrefix(s, "//") {
		rest := s[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		authority, s, hasAuthority = rest[:end], rest[end:], true
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		u.query, s = s[i+1:], s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	u.path = s
	if !hasAuthority {
		return u
	}
	if i := strings.IndexByte(authority, '@'); i >= 0 {
		u.userinfo, u.hasUserinfo, authority = authority[:i], true, authority[i+1:]
	}
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.ContainsAny(authority[i+1:], "]") {
		u.port, authority = authority[i+1:], authority[:i]
	}
	if strings.HasPrefix(authority, "[") && strings.HasSuffix(authority, "]") && len(authority) > 2 {
		authority = authority[1 : len(authority)-1]
	}
	u.host = authority
	return u
}

func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch {
		case i == 0 && !alnum:
			return -1
		case c == ':':
			return i
		case !alnum && c != '+' && c != '-' && c != '.':
			return -1
		}
	}
	return -1
}
