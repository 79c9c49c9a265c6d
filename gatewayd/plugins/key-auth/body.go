package keyauth

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// found classifies a looked-up value as Kong's Lua code sees it: absent
// (or neither a string nor a table), a string, or a table (the name was
// given more than once, or a JSON array/object), which Kong reports as a
// duplicate key.
type found uint8

const (
	notFound found = iota
	single
	multiple
)

type bodyKind uint8

const (
	bodyEmpty bodyKind = iota // missing/unsupported content type or unparsable body
	bodyForm
	bodyMultipart
	bodyJSON
)

// requestBody is the request body decoded as Kong's kong.request.get_body
// does (form-urlencoded, multipart/form-data or a JSON object), parsed at
// most once per request and only when key_in_body needs it.
type requestBody struct {
	kind     bodyKind
	form     []formPair
	parts    []formPart
	boundary string
	json     map[string]any
}

type formPair struct {
	raw      string // the pair as sent, for rebuilding the body
	name     string // decoded name
	value    string // decoded value
	hasValue bool   // "a=" has a (empty) value, "a" has none (Lua true)
}

type formPart struct {
	header textproto.MIMEHeader
	name   string
	data   []byte
}

var emptyBody = &requestBody{}

func parseBody(c *plugin.Context) *requestBody {
	ct := strings.ToLower(string(c.ContentType()))
	switch {
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		return parseForm(c.Body())
	case strings.HasPrefix(ct, "multipart/form-data"):
		return parseMultipart(string(c.ContentType()), c.Body())
	case strings.HasPrefix(ct, "application/json"):
		return parseJSON(c.Body())
	}
	return emptyBody
}

func parseForm(b []byte) *requestBody {
	rb := &requestBody{kind: bodyForm}
	for _, raw := range strings.Split(string(b), "&") {
		if raw == "" {
			continue
		}
		p := formPair{raw: raw}
		name, value, has := strings.Cut(raw, "=")
		p.name, p.value, p.hasValue = unescape(name), unescape(value), has
		rb.form = append(rb.form, p)
	}
	return rb
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func parseMultipart(contentType string, b []byte) *requestBody {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return emptyBody
	}
	rb := &requestBody{kind: bodyMultipart, boundary: params["boundary"]}
	r := multipart.NewReader(bytes.NewReader(b), rb.boundary)
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return rb
		}
		if err != nil {
			return emptyBody
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return emptyBody
		}
		rb.parts = append(rb.parts, formPart{header: p.Header, name: p.FormName(), data: data})
	}
}

func parseJSON(b []byte) *requestBody {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return emptyBody
	}
	return &requestBody{kind: bodyJSON, json: m}
}

// lookup returns the body field name as Kong's key-auth reads body[name].
func (rb *requestBody) lookup(name string) (string, found) {
	switch rb.kind {
	case bodyForm:
		n, val, hasValue := 0, "", false
		for i := range rb.form {
			if rb.form[i].name == name {
				n++
				val, hasValue = rb.form[i].value, rb.form[i].hasValue
			}
		}
		switch {
		case n > 1:
			return "", multiple
		case n == 1 && hasValue:
			return val, single
		}
	case bodyMultipart:
		n, val := 0, ""
		for i := range rb.parts {
			if rb.parts[i].name == name {
				n++
				val = string(rb.parts[i].data)
			}
		}
		switch {
		case n > 1:
			return "", multiple
		case n == 1:
			return val, single
		}
	case bodyJSON:
		switch v := rb.json[name].(type) {
		case string:
			return v, single
		case []any, map[string]any:
			return "", multiple
		}
	}
	return "", notFound
}

// without returns the body re-encoded without the field name, and false
// when the body does not contain it (nothing to rewrite).
func (rb *requestBody) without(name string) ([]byte, bool) {
	switch rb.kind {
	case bodyForm:
		var kept []string
		removed := false
		for _, p := range rb.form {
			if p.name == name {
				removed = true
				continue
			}
			kept = append(kept, p.raw)
		}
		if !removed {
			return nil, false
		}
		return []byte(strings.Join(kept, "&")), true
	case bodyMultipart:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		if err := w.SetBoundary(rb.boundary); err != nil {
			return nil, false
		}
		removed := false
		for _, p := range rb.parts {
			if p.name == name {
				removed = true
				continue
			}
			pw, err := w.CreatePart(p.header)
			if err != nil {
				return nil, false
			}
			_, _ = pw.Write(p.data)
		}
		if !removed || w.Close() != nil {
			return nil, false
		}
		return buf.Bytes(), true
	case bodyJSON:
		if _, ok := rb.json[name]; !ok {
			return nil, false
		}
		delete(rb.json, name)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rb.json); err != nil {
			return nil, false
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
	}
	return nil, false
}
