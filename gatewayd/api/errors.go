package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Error is a non-2xx Admin API answer with Kong's error envelope decoded.
type Error struct {
	Method, Path string
	Status       int
	// Code and Name are Kong's DAO error code and name (2 "schema
	// violation", 5 "unique constraint violation", ...); 0 and "" for
	// plain {"message"} errors.
	Code    int
	Name    string
	Message string
	// Fields is Kong's per-field error tree.
	Fields map[string]any
	Body   []byte
}

func newError(method, path string, status int, body []byte) *Error {
	e := &Error{Method: method, Path: path, Status: status, Body: body}
	var env struct {
		Code    int            `json:"code"`
		Name    string         `json:"name"`
		Message string         `json:"message"`
		Fields  map[string]any `json:"fields"`
	}
	if json.Unmarshal(body, &env) == nil {
		e.Code, e.Name, e.Message, e.Fields = env.Code, env.Name, env.Message, env.Fields
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(body))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	return e
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// FieldErrors flattens Fields into "path: message" pairs sorted by path,
// so callers can attach each message to the attribute it names.
func (e *Error) FieldErrors() [][2]string {
	var out [][2]string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, sub := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, sub)
			}
		case []any:
			for i, sub := range t {
				if sub != nil {
					walk(fmt.Sprintf("%s[%d]", prefix, i), sub)
				}
			}
		default:
			out = append(out, [2]string{prefix, fmt.Sprint(t)})
		}
	}
	walk("", e.Fields)
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// IsNotFound reports a 404 answer.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsConflict reports a 409 (unique or primary key violation).
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

func hasStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}
