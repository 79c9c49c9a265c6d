// Package httpheader edits fasthttp response headers whose names keep the
// case they were written with. gatewayd turns fasthttp's name
// normalization off for responses, so an upstream's "x-request-id" and
// Kong's "X-RateLimit-Remaining-Minute" or "WWW-Authenticate" reach the
// client spelled as they were (nginx and Kong do the same). With
// normalization off fasthttp compares names exactly; these helpers give
// back HTTP's case-insensitive semantics.
package httpheader

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

// Peek returns the first value of the named header, whatever its case.
func Peek(h *fasthttp.ResponseHeader, name string) []byte {
	if v := h.Peek(name); v != nil {
		return v
	}
	for k, v := range h.All() {
		if equalFold(k, name) {
			return v
		}
	}
	return nil
}

// Del removes every header of that name, whatever its case.
func Del(h *fasthttp.ResponseHeader, name string) {
	h.Del(name)
	var found [][]byte
	for k := range h.All() {
		if equalFold(k, name) {
			found = append(found, append([]byte(nil), k...))
		}
	}
	for _, k := range found {
		h.DelBytes(k)
	}
}

// Set replaces every header of that name with one, spelled as given.
func Set(h *fasthttp.ResponseHeader, name, value string) {
	Del(h, name)
	h.Set(name, value)
}

// SetBytesKV is Set for byte slices.
func SetBytesKV(h *fasthttp.ResponseHeader, name, value []byte) {
	Del(h, string(name))
	h.SetBytesKV(name, value)
}

func equalFold(b []byte, s string) bool {
	return len(b) == len(s) && bytes.EqualFold(b, []byte(s))
}
