// Package requesttransformer implements Kong's request-transformer plugin
// (kong/plugins/request-transformer): it changes the method, path,
// headers, query string and body sent upstream, in Kong's order (uri,
// method, headers, body, query string; within each: remove, rename,
// replace, add, append).
package requesttransformer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "request-transformer",
		Priority:    801,
		Description: "Transform the request sent upstream: method, path, headers, query string and body.",
		Config:      configFields(),
		New:         New,
	})
}

// entry is one compiled "name" or "name:value" config entry.
type entry struct {
	name string
	// value is nil when the entry has no value part.
	value *template
}

// ops holds one operation's entries per target.
type ops struct {
	headers, query, body []entry
}

// Transformer is one compiled request-transformer configuration.
type Transformer struct {
	method                              string
	remove, rename, replace, add, apend ops
	uri                                 *template
	hasQuery, hasBody, hasHeaders       bool
	// headerTemplates, queryTemplates: some entry needs rendering per
	// request (the others are static text).
	headerTemplates, queryTemplates bool
}

// New compiles every entry and template once.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	t := &Transformer{}
	t.method, _ = cfg["http_method"].(string)
	t.remove = compileOps(cfg["remove"])
	t.rename = compileOps(cfg["rename"])
	t.replace = compileOps(cfg["replace"])
	t.add = compileOps(cfg["add"])
	t.apend = compileOps(cfg["append"])
	if rec, ok := cfg["replace"].(map[string]any); ok {
		if uri, ok := rec["uri"].(string); ok && uri != "" {
			t.uri = compileTemplate(uri)
		}
	}
	for _, o := range t.all() {
		t.hasQuery = t.hasQuery || len(o.query) > 0
		t.hasBody = t.hasBody || len(o.body) > 0
		t.hasHeaders = t.hasHeaders || len(o.headers) > 0
		for _, e := range o.headers {
			if e.value != nil && !e.value.static {
				t.headerTemplates = true
			}
		}
		for _, e := range o.query {
			if e.value != nil && !e.value.static {
				t.queryTemplates = true
			}
		}
	}
	return t, nil
}

func (t *Transformer) all() []*ops {
	return []*ops{&t.remove, &t.rename, &t.replace, &t.add, &t.apend}
}

func compileOps(v any) ops {
	rec, _ := v.(map[string]any)
	return ops{headers: compileEntries(rec["headers"]), query: compileEntries(rec["querystring"]), body: compileEntries(rec["body"])}
}

func compileEntries(v any) []entry {
	list, _ := v.([]any)
	out := make([]entry, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		name, value, ok := splitEntry(s)
		if !ok {
			continue
		}
		e := entry{name: name}
		if value != "" {
			e.value = compileTemplate(value)
		}
		out = append(out, e)
	}
	return out
}

// render returns an entry's value; has is false for entries without one.
func (e *entry) render(env *tenv) (s string, has bool, err error) {
	if e.value == nil {
		return "", false, nil
	}
	s, err = e.value.render(env)
	if err != nil {
		return "", false, fmt.Errorf("[request-transformer] failed to render the template %s, error:%w", e.value.src, err)
	}
	return s, true, nil
}

// Access applies the transformations. A template that fails to render
// ends the request with 500, as the Lua error does in Kong.
func (t *Transformer) Access(c *plugin.Context) {
	env := &tenv{c: c}
	if err := t.apply(c, env); err != nil {
		c.Logger().Error("request-transformer", "error", err)
		c.Error(500, "An unexpected error occurred")
	}
}

func (t *Transformer) apply(c *plugin.Context, env *tenv) error {
	if err := t.transformURI(c, env); err != nil {
		return err
	}
	t.transformMethod(c)
	if t.hasHeaders {
		if err := t.transformHeaders(c, env); err != nil {
			return err
		}
	}
	if t.hasBody {
		if err := t.transformBody(c, env); err != nil {
			return err
		}
	}
	if t.hasQuery {
		return t.transformQuery(c, env)
	}
	return nil
}

func (t *Transformer) transformURI(c *plugin.Context, env *tenv) error {
	if t.uri == nil {
		return nil
	}
	path, err := t.uri.render(env)
	if err != nil {
		return fmt.Errorf("[request-transformer] failed to render the template %s, error:%w", t.uri.src, err)
	}
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("path must start with /: %q", path)
	}
	c.SetUpstreamPath(path)
	return nil
}

func (t *Transformer) transformMethod(c *plugin.Context) {
	if t.method == "" {
		return
	}
	c.SetMethod(t.method)
	if t.method != "GET" && t.method != "HEAD" && t.method != "TRACE" {
		return
	}
	if contentKind(c.ContentType()) != kindForm {
		return
	}
	// The form body also goes into the query string.
	for _, a := range decodeForm(c.Body()).args {
		if a.bare {
			c.AddQuery(a.key, "")
			continue
		}
		for _, v := range a.vals {
			c.AddQuery(a.key, v)
		}
	}
}

const hostHeader = "host"

// transformHeaders renders every value against the request as received
// (Kong applies header changes only after rendering them all), then
// applies remove, rename, replace, add and append in order.
func (t *Transformer) transformHeaders(c *plugin.Context, env *tenv) error {
	var rendered [][]string
	if t.headerTemplates {
		rendered = make([][]string, 5)
		for i, o := range t.all() {
			rendered[i] = make([]string, len(o.headers))
			for j := range o.headers {
				s, _, err := o.headers[j].render(env)
				if err != nil {
					return err
				}
				rendered[i][j] = s
			}
		}
	}
	valueOf := func(op, j int, e *entry) (string, bool) {
		if e.value == nil {
			return "", false
		}
		if rendered != nil {
			return rendered[op][j], true
		}
		return e.value.src, true
	}
	// Kong's header table has no host entry: remove and rename ignore it.
	for _, e := range t.remove.headers {
		if c.Header(e.name) != nil && !strings.EqualFold(e.name, hostHeader) {
			c.DelHeader(e.name)
		}
	}
	for j := range t.rename.headers {
		e := &t.rename.headers[j]
		newName, ok := valueOf(1, j, e)
		if !ok || c.Header(e.name) == nil || strings.EqualFold(e.name, hostHeader) {
			continue
		}
		vals := c.HeaderValues(e.name)
		copies := make([]string, len(vals))
		for i, v := range vals {
			copies[i] = string(v)
		}
		// Kong assigns the values to the new name, then clears the old
		// one: renaming a header to itself removes it. Deleting first
		// keeps the values in order.
		c.DelHeader(e.name)
		if strings.EqualFold(e.name, newName) {
			continue
		}
		c.DelHeader(newName)
		for _, v := range copies {
			c.AddHeader(newName, v)
		}
	}
	for j := range t.replace.headers {
		e := &t.replace.headers[j]
		v, ok := valueOf(2, j, e)
		if ok && (c.Header(e.name) != nil || strings.EqualFold(e.name, hostHeader)) {
			setHeader(c, e.name, v)
		}
	}
	for j := range t.add.headers {
		e := &t.add.headers[j]
		v, ok := valueOf(3, j, e)
		if ok && c.Header(e.name) == nil && !strings.EqualFold(e.name, hostHeader) {
			c.SetHeader(e.name, v)
		}
	}
	for j := range t.apend.headers {
		e := &t.apend.headers[j]
		v, ok := valueOf(4, j, e)
		if !ok {
			continue
		}
		if strings.EqualFold(e.name, hostHeader) {
			// Kong's header table has no host entry: appending sets it.
			setHeader(c, e.name, v)
			continue
		}
		c.AddHeader(e.name, v)
	}
	return nil
}

// setHeader replaces every value of a request header.
func setHeader(c *plugin.Context, name, value string) {
	if !strings.EqualFold(name, hostHeader) {
		c.DelHeader(name)
	}
	c.SetHeader(name, value)
}

// transformQuery renders every value against the query as received, then
// applies the operations to the upstream query string.
func (t *Transformer) transformQuery(c *plugin.Context, env *tenv) error {
	var rendered [][]string
	if t.queryTemplates {
		rendered = make([][]string, 5)
		for i, o := range t.all() {
			rendered[i] = make([]string, len(o.query))
			for j := range o.query {
				s, _, err := o.query[j].render(env)
				if err != nil {
					return err
				}
				rendered[i][j] = s
			}
		}
	}
	valueOf := func(op, j int, e *entry) (string, bool) {
		if e.value == nil {
			return "", false
		}
		if rendered != nil {
			return rendered[op][j], true
		}
		return e.value.src, true
	}
	for _, e := range t.remove.query {
		c.DelQuery(e.name)
	}
	for j := range t.rename.query {
		e := &t.rename.query[j]
		newName, ok := valueOf(1, j, e)
		if !ok {
			continue
		}
		vals := c.QueryValues(e.name)
		copies := make([]string, len(vals))
		for i, v := range vals {
			copies[i] = string(v)
		}
		// Kong assigns the old value (possibly nil) to the new name, then
		// clears the old name.
		c.DelQuery(newName)
		for _, v := range copies {
			c.AddQuery(newName, v)
		}
		c.DelQuery(e.name)
	}
	for j := range t.replace.query {
		e := &t.replace.query[j]
		if v, ok := valueOf(2, j, e); ok && c.HasQuery(e.name) {
			c.DelQuery(e.name)
			c.AddQuery(e.name, v)
		}
	}
	for j := range t.add.query {
		e := &t.add.query[j]
		if v, ok := valueOf(3, j, e); ok && !c.HasQuery(e.name) {
			c.AddQuery(e.name, v)
		}
	}
	for j := range t.apend.query {
		e := &t.apend.query[j]
		if v, ok := valueOf(4, j, e); ok {
			c.AddQuery(e.name, v)
		}
	}
	return nil
}

// transformBody rewrites form, JSON and multipart bodies.
func (t *Transformer) transformBody(c *plugin.Context, env *tenv) error {
	ct := c.ContentType()
	k := contentKind(ct)
	if k == kindNone {
		return nil
	}
	body := c.Body()
	var out []byte
	var changed bool
	var err error
	switch k {
	case kindForm:
		out, changed, err = t.formBody(body, env)
	case kindMultipart:
		out, changed, err = t.multipartBody(body, string(ct), env)
	case kindJSON:
		out, changed, err = t.jsonBody(body, env)
	}
	if err != nil || !changed {
		return err
	}
	c.SetBody(out)
	c.SetHeader("Content-Length", strconv.Itoa(len(out)))
	return nil
}
