package harness

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Client returns an HTTP client for talking to a test gatewayd: no proxy from the
// environment, a 30 s timeout, and TLS that accepts the daemon's self-signed certificate.
func Client() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, // loopback test daemon only
			TLSHandshakeTimeout: 5 * time.Second,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     30 * time.Second,
		},
		// Tests look at redirects themselves.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// AdminDo sends a request to the Admin API and returns the status, body and headers.
// body "" sends no body; contentType "" sends no Content-Type. A transport error fails the test.
func (g *Gatewayd) AdminDo(t testing.TB, method, path, contentType, body string) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return g.adminDo(t, method, path, contentType, rd)
}

func (g *Gatewayd) adminDo(t testing.TB, method, path, contentType string, body io.Reader) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, g.AdminURL+path, body)
	if err != nil {
		t.Fatalf("harness: %s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if g.adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+g.adminToken)
	}
	resp, err := g.admin.Do(req)
	if err != nil {
		t.Fatalf("harness: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("harness: %s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, data, resp.Header
}

// AdminJSON sends v as JSON (nil sends no body; a string, []byte or json.RawMessage is sent
// as it is) and decodes the answer as a JSON object. An empty answer (204) gives a nil map;
// an answer that is not a JSON object fails the test.
func (g *Gatewayd) AdminJSON(t testing.TB, method, path string, v any) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	contentType := ""
	switch b := v.(type) {
	case nil:
	case string:
		body, contentType = strings.NewReader(b), "application/json"
	case []byte:
		body, contentType = bytes.NewReader(b), "application/json"
	case json.RawMessage:
		body, contentType = bytes.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("harness: %s %s: encoding body: %v", method, path, err)
		}
		body, contentType = bytes.NewReader(data), "application/json"
	}
	status, data, _ := g.adminDo(t, method, path, contentType, body)
	if len(bytes.TrimSpace(data)) == 0 {
		return status, nil
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("harness: %s %s: answer %d is not a JSON object: %v\n%s", method, path, status, err, data)
	}
	return status, out
}
