package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// maxBodyBytes bounds admin request bodies (certificates and declarative
// configs are the large ones).
const maxBodyBytes = 32 << 20

// body is a decoded request body and whether it came from a form, in which
// case schema-driven type inference must still run.
type body struct {
	doc  schema.Doc
	form bool
}

// readBody decodes JSON, url-encoded and multipart bodies per Kong's rules
// (kong/api/api_helpers.lua before_filter, arguments.lua): a body without a
// Content-Type, or with another type, is 415; invalid JSON is 400 "Cannot
// parse JSON body"; more than 1000 form arguments is 400 "Too many arguments".
func readBody(r *http.Request) (body, *apiError) {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return body{}, plainError(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return body{}, plainError(http.StatusBadRequest, "failed to read request body")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		if len(bytes.TrimSpace(raw)) == 0 {
			return body{doc: schema.Doc{}}, nil
		}
		return body{}, plainError(http.StatusUnsupportedMediaType, "Unsupported Media Type")
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return body{}, plainError(http.StatusUnsupportedMediaType, "Unsupported Media Type")
	}
	switch mediaType {
	case "application/json":
		return decodeJSONBody(raw)
	case "application/x-www-form-urlencoded":
		return decodeFormBody(parseForm(string(raw)), r.Method)
	case "multipart/form-data":
		return decodeMultipart(raw, params["boundary"], r.Method)
	}
	return body{}, plainError(http.StatusUnsupportedMediaType, "Unsupported Media Type")
}

func decodeJSONBody(raw []byte) (body, *apiError) {
	// An empty body is not JSON either: Kong answers "Cannot parse JSON
	// body" (spec/02-integration/04-admin_api: "returns 400 on missing body
	// with application/json").
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&v); err != nil || dec.More() {
		return body{}, plainError(http.StatusBadRequest, "Cannot parse JSON body")
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return body{}, plainError(http.StatusBadRequest, "Cannot parse JSON body")
	}
	return body{doc: doc}, nil
}

func decodeFormBody(values url.Values, method string) (body, *apiError) {
	doc, err := schema.DecodeForm(values, method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch)
	if err != nil {
		return body{}, plainError(http.StatusBadRequest, err.Error())
	}
	return body{doc: doc, form: true}, nil
}

// decodeMultipart reads every part (files included, as their content) as a
// form value, so `cert=@cert.pem` works as with Kong.
func decodeMultipart(raw []byte, boundary, method string) (body, *apiError) {
	if boundary == "" || len(bytes.TrimSpace(raw)) == 0 {
		// Kong reads a multipart body it cannot split as no arguments
		// ("returns 400 on missing body with multipart/form-data" expects
		// the schema violation of an empty entity).
		return body{doc: schema.Doc{}, form: true}, nil
	}
	req := &http.Request{Method: method, Header: http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}},
		Body: io.NopCloser(bytes.NewReader(raw))}
	mr, err := req.MultipartReader()
	if err != nil {
		return body{}, plainError(http.StatusBadRequest, "Cannot parse multipart body")
	}
	values := url.Values{}
	for n := 0; ; n++ {
		if n > schema.MaxFormArgs {
			return body{}, plainError(http.StatusBadRequest, "Too many arguments")
		}
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return body{}, plainError(http.StatusBadRequest, "Cannot parse multipart body")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return body{}, plainError(http.StatusBadRequest, "Cannot parse multipart body")
		}
		values.Add(part.FormName(), string(data))
	}
	return decodeFormBody(values, method)
}

// parseForm splits an url-encoded body the way nginx's ngx.decode_args
// does: pairs separated by "&" only (";" is data, unlike Go's
// url.ParseQuery, which drops such pairs), "+" is a space, and a malformed
// %-escape is kept as written instead of failing the whole body.
func parseForm(s string) url.Values {
	values := url.Values{}
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		values.Add(unescapeLenient(k), unescapeLenient(v))
	}
	return values
}

func unescapeLenient(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// trimSlash tolerates a trailing slash as Kong does.
func trimSlash(p string) string {
	if len(p) > 1 {
		return strings.TrimRight(p, "/")
	}
	return p
}
