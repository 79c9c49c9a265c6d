package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// registerConfig serves /config in DB-less mode (kong/api/routes/config.lua):
// GET returns the loaded configuration, POST replaces all of it.
func (s *Server) registerConfig() {
	s.routes.handle("/config", http.MethodGet, func(rc *reqCtx) (int, any, *apiError) {
		text, err := s.opts.Declarative.Export(rc.ctx())
		if err != nil {
			return 0, nil, rc.s.internal(rc.r, err)
		}
		return http.StatusOK, map[string]any{"config": string(text)}, nil
	})
	s.routes.handle("/config", http.MethodPost, s.postConfig)
}

// rawBody reports whether a request's body is read by its handler rather
// than decoded up front: /config takes YAML and strings as well as JSON.
func (s *Server) rawBody(rt *route, method string) bool {
	return s.opts.Declarative != nil && rt.template == "/config" && method == http.MethodPost
}

func (s *Server) postConfig(rc *reqCtx) (int, any, *apiError) {
	src, apiErr := configSource(rc.r)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	q := rc.r.URL.Query()
	// POST /config must not read the server's environment: a body could
	// otherwise pull secrets such as GATEWAYD_PG_PASSWORD into entities
	// that GET /config then shows.
	f, err := declarative.Parse(s.opts.Registry, []declarative.Source{src}, declarative.ParseOptions{})
	if err != nil {
		return 0, nil, invalidDeclarative(err, truthy(q.Get("flatten_errors")))
	}
	if truthy(q.Get("check_hash")) && f.Hash == s.opts.Declarative.Hash() {
		return http.StatusNotModified, nil, nil
	}
	loaded, err := s.opts.Declarative.Load(rc.ctx(), f)
	switch {
	case errors.Is(err, declarative.ErrBusy):
		rc.w.Header().Set("Retry-After", "60")
		return 0, nil, plainError(http.StatusTooManyRequests, "Currently loading previous configuration")
	case err != nil:
		var derrs declarative.Errors
		if errors.As(err, &derrs) {
			return 0, nil, invalidDeclarative(err, truthy(q.Get("flatten_errors")))
		}
		return 0, nil, rc.s.internal(rc.r, err)
	}
	return http.StatusCreated, loaded.Entities(), nil
}

func truthy(v string) bool { return v == "1" || v == "true" }

// configSource extracts the configuration from the ways Kong accepts it: a
// JSON body that is the configuration (it has _format_version), a
// "config" string in a JSON, form or multipart body, or a raw YAML body.
func configSource(r *http.Request) (declarative.Source, *apiError) {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return declarative.Source{}, plainError(http.StatusRequestEntityTooLarge, "request body too large")
	}
	src := declarative.Source{Name: "config"}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			return src, plainError(http.StatusBadRequest, "Cannot parse JSON body")
		}
		if _, ok := body["_format_version"]; ok {
			src.Data = raw
		} else if s, ok := body["config"].(string); ok {
			src.Data = []byte(s)
		} else if m, ok := body["config"].(map[string]any); ok {
			src.Data, _ = json.Marshal(m)
		}
	case "application/x-www-form-urlencoded":
		src.Data = []byte(parseForm(string(raw)).Get("config"))
	case "multipart/form-data":
		src.Data = multipartConfig(raw, params["boundary"])
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "":
		src.Data = raw
	default:
		return src, plainError(http.StatusUnsupportedMediaType, "Unsupported Media Type")
	}
	if len(bytes.TrimSpace(src.Data)) == 0 {
		return src, plainError(http.StatusBadRequest, "expected a declarative configuration")
	}
	return src, nil
}

// multipartConfig returns the "config" part (config=@kong.yml).
func multipartConfig(raw []byte, boundary string) []byte {
	if boundary == "" {
		return nil
	}
	req := &http.Request{Method: http.MethodPost,
		Header: http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}},
		Body:   io.NopCloser(bytes.NewReader(raw))}
	mr, err := req.MultipartReader()
	if err != nil {
		return nil
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if part.FormName() == "config" {
			data, _ := io.ReadAll(part)
			return data
		}
	}
}

// invalidDeclarative is Kong's 400 code 14 with the nested fields tree,
// plus flattened_errors when asked for.
func invalidDeclarative(err error, flatten bool) *apiError {
	var derrs declarative.Errors
	if !errors.As(err, &derrs) {
		derrs = declarative.Errors{{Message: err.Error()}}
	}
	fields := derrs.KongFields()
	e := dbError(http.StatusBadRequest, codeDeclarativeInvalid, "invalid declarative configuration",
		"declarative config is invalid: "+schema.Pretty(fields, ""), fields)
	if flatten {
		e.body["flattened_errors"] = derrs.Flattened()
	}
	return e
}

// configurationHash is /status's configuration_hash in DB-less mode.
func (s *Server) configurationHash() (string, bool) {
	if s.opts.Declarative == nil {
		return "", false
	}
	return s.opts.Declarative.Hash(), true
}
