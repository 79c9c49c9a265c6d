package acctest

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/postgres"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

func TestMain(m *testing.M) { os.Exit(harness.RunMain(m)) }

// backends runs a test against gatewayd on each supported database.
func backends(t *testing.T, fn func(t *testing.T, opts harness.Options)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, harness.Options{}) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, harness.Options{Database: "postgres", PGDSN: postgres.Start(t)})
	})
}

// curlForm posts a form body like `curl --data k=v --data k2=v2`.
func curlForm(t *testing.T, method, target string, pairs ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(strings.Join(pairs, "&")))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doJSON(t, req)
}

func postJSON(t *testing.T, target string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return doJSON(t, req)
}

func doJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := harness.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", req.Method, req.URL, data)
		}
	}
	return resp.StatusCode, out
}

// proxyGet fetches through the proxy and decodes the echo upstream's JSON.
func proxyGet(t *testing.T, target string, header http.Header) (*http.Response, upstream.Echo) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	resp, err := harness.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var echo upstream.Echo
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &echo); err != nil {
			t.Fatalf("GET %s: upstream answer is not the echo JSON: %q", target, data)
		}
	}
	resp.Body = io.NopCloser(strings.NewReader(string(data)))
	return resp, echo
}

// eventually polls fn until it reports success; config changes reach the
// proxy asynchronously (within milliseconds), so tests must not race them.
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if fn() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func waitRoute(t *testing.T, target string, header http.Header) upstream.Echo {
	t.Helper()
	var echo upstream.Echo
	eventually(t, "route to go live at "+target, func() bool {
		var resp *http.Response
		resp, echo = proxyGet(t, target, header)
		return resp.StatusCode == http.StatusOK
	})
	return echo
}

// TestKongQuickstartVerbatim runs the Kong getting-started commands, as
// curl sends them, against both databases.
func TestKongQuickstartVerbatim(t *testing.T) {
	backends(t, func(t *testing.T, opts harness.Options) {
		up := upstream.Start(t)
		gw := harness.StartGatewayd(t, opts)

		status, svc := curlForm(t, http.MethodPost, gw.AdminURL+"/services", "name=example-service", "url="+url.QueryEscape(up.URL))
		if status != http.StatusCreated {
			t.Fatalf("POST /services: %d %v", status, svc)
		}
		for k, want := range map[string]any{"name": "example-service", "protocol": "http", "host": up.Host,
			"port": float64(up.Port), "path": nil, "retries": 5.0, "connect_timeout": 60000.0, "enabled": true} {
			if svc[k] != want {
				t.Errorf("service %s = %#v, want %#v", k, svc[k], want)
			}
		}
		status, route := curlForm(t, http.MethodPost, gw.AdminURL+"/services/example-service/routes", "paths%5B%5D=/test")
		if status != http.StatusCreated {
			t.Fatalf("POST /services/example-service/routes: %d %v", status, route)
		}
		if got := route["service"].(map[string]any)["id"]; got != svc["id"] {
			t.Fatalf("route service = %v, want %v", got, svc["id"])
		}
		echo := waitRoute(t, gw.ProxyURL+"/test/anything", nil)
		if echo.Path != "/anything" {
			t.Fatalf("upstream saw path %q, want /anything", echo.Path)
		}

		// The same with JSON bodies.
		status, svc2 := postJSON(t, gw.AdminURL+"/services", map[string]any{"name": "json-service", "url": up.URL + "/base"})
		if status != http.StatusCreated || svc2["path"] != "/base" {
			t.Fatalf("POST /services (JSON): %d %v", status, svc2)
		}
		status, _ = postJSON(t, gw.AdminURL+"/services/json-service/routes", map[string]any{"paths": []string{"/json"}})
		if status != http.StatusCreated {
			t.Fatalf("POST nested route (JSON): %d", status)
		}
		if echo := waitRoute(t, gw.ProxyURL+"/json/x", nil); echo.Path != "/base/x" {
			t.Fatalf("upstream saw %q, want /base/x", echo.Path)
		}

		// And a route posted to /routes with the service by id.
		status, r3 := postJSON(t, gw.AdminURL+"/routes", map[string]any{
			"name": "by-id", "paths": []string{"/by-id"}, "methods": []string{"GET", "POST"},
			"service": map[string]any{"id": svc["id"]},
		})
		if status != http.StatusCreated || r3["name"] != "by-id" {
			t.Fatalf("POST /routes: %d %v", status, r3)
		}
		if echo := waitRoute(t, gw.ProxyURL+"/by-id/z?q=1&q=2", nil); echo.Path != "/z" || echo.Query != "q=1&q=2" {
			t.Fatalf("upstream saw %q?%q", echo.Path, echo.Query)
		}
	})
}

// TestAcknowledgedWriteSurvivesKill9: once the admin API answered 201, the
// entity is on disk even if gatewayd is killed right after.
func TestAcknowledgedWriteSurvivesKill9(t *testing.T) {
	backends(t, func(t *testing.T, opts harness.Options) {
		gw := harness.StartGatewayd(t, opts)
		status, svc := curlForm(t, http.MethodPost, gw.AdminURL+"/services", "name=durable", "url=http://127.0.0.1:1")
		if status != http.StatusCreated {
			t.Fatalf("POST /services: %d %v", status, svc)
		}
		gw.Kill9()
		gw.Restart(t)
		status, got := gw.AdminJSON(t, http.MethodGet, "/services/durable", nil)
		if status != http.StatusOK || got["id"] != svc["id"] {
			t.Fatalf("after kill -9 and restart: %d %v", status, got)
		}
	})
}

func TestAdminTokenIsRequiredWhenSet(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"admin_token": "s3cret"}})
	for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0"} {
		req, _ := http.NewRequest(http.MethodGet, gw.AdminURL+"/services", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		status, body := doJSON(t, req)
		if status != http.StatusUnauthorized || body["message"] != "Unauthorized" {
			t.Errorf("Authorization %q: %d %v, want 401 Unauthorized", auth, status, body)
		}
	}
	if status, _ := gw.AdminJSON(t, http.MethodGet, "/services", nil); status != http.StatusOK {
		t.Fatalf("with the right bearer token: %d", status)
	}
}

// rawRequest sends bytes on a fresh connection and returns the response
// status line and body.
func rawRequest(t *testing.T, addr, raw string) (string, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.Status, string(body)
}

func TestProxyRejectsMalformedRequests(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	curlForm(t, http.MethodPost, gw.AdminURL+"/services", "name=s", "url="+url.QueryEscape(up.URL))
	curlForm(t, http.MethodPost, gw.AdminURL+"/services/s/routes", "paths[]=/")
	waitRoute(t, gw.ProxyURL+"/", nil)
	addr := strings.TrimPrefix(gw.ProxyURL, "http://")

	cases := []struct {
		name, raw, status, body string
	}{
		{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", "400 Bad Request", "Bad request"},
		{"oversized headers", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 40<<10) + "\r\n\r\n",
			"400 Bad Request", "Request header or cookie too large"},
		{"Content-Length with Transfer-Encoding", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			"400 Bad Request", "Bad request"},
		{"duplicate Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
			"400 Bad Request", "Bad request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rawRequest(t, addr, tc.raw)
			if status != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("got %s %q, want %s containing %q", status, body, tc.status, tc.body)
			}
		})
	}
	if up.Requests() != 1 {
		t.Fatalf("malformed requests must never reach the upstream; upstream saw %d requests (1 expected from the readiness probe)", up.Requests())
	}
}
