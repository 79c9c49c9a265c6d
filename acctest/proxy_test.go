package acctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// setup creates a service pointing at url and one route with the given
// JSON fields, and waits until probe answers 200 through the proxy.
func setup(t *testing.T, gw *harness.Gatewayd, name, target string, route map[string]any) {
	t.Helper()
	if status, body := postJSON(t, gw.AdminURL+"/services", map[string]any{"name": name, "url": target}); status != http.StatusCreated {
		t.Fatalf("creating service %s: %d %v", name, status, body)
	}
	if status, body := postJSON(t, gw.AdminURL+"/services/"+name+"/routes", route); status != http.StatusCreated {
		t.Fatalf("creating route for %s: %d %v", name, status, body)
	}
}

func bodyOf(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

func TestProxyGatewayResponsesMatchKong(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	setup(t, gw, "web", up.URL, map[string]any{"paths": []string{"/web"}})
	setup(t, gw, "secure", up.URL, map[string]any{"paths": []string{"/secure"}, "protocols": []string{"https"}})
	setup(t, gw, "moved", up.URL, map[string]any{"paths": []string{"/moved"}, "protocols": []string{"https"}, "https_redirect_status_code": 301})
	if status, body := postJSON(t, gw.AdminURL+"/routes", map[string]any{"paths": []string{"/orphan"}}); status != http.StatusCreated {
		t.Fatalf("route without service: %d %v", status, body)
	}
	waitRoute(t, gw.ProxyURL+"/web", nil)

	t.Run("no route is 404 with request id", func(t *testing.T) {
		resp, _ := proxyGet(t, gw.ProxyURL+"/nowhere", nil)
		body := bodyOf(t, resp)
		id := resp.Header.Get("X-Gatewayd-Request-Id")
		if resp.StatusCode != 404 || body != `{"message":"no Route matched with those values","request_id":"`+id+`"}` || len(id) != 32 {
			t.Fatalf("got %d %s (id %q)", resp.StatusCode, body, id)
		}
		if resp.Header.Get("Server") != "gatewayd/0.1.0" {
			t.Fatalf("Server header = %q", resp.Header.Get("Server"))
		}
	})
	t.Run("route without service is 503", func(t *testing.T) {
		eventually(t, "orphan route", func() bool {
			resp, _ := proxyGet(t, gw.ProxyURL+"/orphan", nil)
			return resp.StatusCode == 503 && strings.Contains(bodyOf(t, resp), `"no Service found with those values"`)
		})
	})
	t.Run("https-only route over http is 426", func(t *testing.T) {
		resp, _ := proxyGet(t, gw.ProxyURL+"/secure/x", nil)
		if resp.StatusCode != 426 || !strings.Contains(bodyOf(t, resp), "Please use HTTPS protocol") ||
			resp.Header.Get("Upgrade") != "TLS/1.2, HTTP/1.1" {
			t.Fatalf("got %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("https redirect code 301 keeps the query", func(t *testing.T) {
		client := harness.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		req, _ := http.NewRequest(http.MethodGet, gw.ProxyURL+"/moved/a?b=c", nil)
		req.Host = "api.example.test"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://api.example.test/moved/a?b=c" {
			t.Fatalf("got %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("https-only route over TLS is proxied", func(t *testing.T) {
		resp, echo := proxyGet(t, gw.ProxyTLSURL+"/secure/x", nil)
		if resp.StatusCode != 200 || http.Header(echo.Headers).Get("X-Forwarded-Proto") != "https" {
			t.Fatalf("got %d, X-Forwarded-Proto %q", resp.StatusCode, http.Header(echo.Headers).Get("X-Forwarded-Proto"))
		}
	})
	t.Run("TRACE is 405", func(t *testing.T) {
		req, _ := http.NewRequest("TRACE", gw.ProxyURL+"/web", nil)
		resp, err := harness.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 {
			t.Fatalf("TRACE: %d", resp.StatusCode)
		}
	})
}

func TestProxyUpstreamFailures(t *testing.T) {
	up := upstream.Start(t)
	closed := freeClosedPort(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	setup(t, gw, "slow", up.URL, map[string]any{"paths": []string{"/slow"}})
	if status, _ := curlForm(t, http.MethodPatch, gw.AdminURL+"/services/slow", "read_timeout=200"); status != 200 {
		t.Fatal("patch read_timeout")
	}
	setup(t, gw, "down", "http://"+closed, map[string]any{"paths": []string{"/down"}})
	setup(t, gw, "rude", up.URL, map[string]any{"paths": []string{"/rude"}})
	waitRoute(t, gw.ProxyURL+"/slow/fast", nil)

	cases := []struct {
		path   string
		status int
		msg    string
	}{
		{"/slow/delay/2000", 504, "The upstream server is timing out"},
		{"/down/x", 502, "An invalid response was received from the upstream server"},
		{"/rude/close", 502, "An invalid response was received from the upstream server"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			var resp *http.Response
			eventually(t, tc.path, func() bool {
				resp, _ = proxyGet(t, gw.ProxyURL+tc.path, http.Header{"Accept": {"application/json"}})
				return resp.StatusCode == tc.status
			})
			if body := bodyOf(t, resp); !strings.Contains(body, `"message":"`+tc.msg+`"`) {
				t.Fatalf("body %q lacks %q", body, tc.msg)
			}
			// Without Accept, upstream failures use error_default_type (text/plain) as Kong does.
			plain, _ := proxyGet(t, gw.ProxyURL+tc.path, nil)
			if body := bodyOf(t, plain); !strings.HasPrefix(body, tc.msg+"\nrequest_id: ") {
				t.Fatalf("text/plain body = %q", body)
			}
		})
	}
}

func freeClosedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestProxyBalancesAcrossUpstreamTargetsByWeight(t *testing.T) {
	a, b := upstream.Start(t), upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	if status, body := curlForm(t, http.MethodPost, gw.AdminURL+"/upstreams", "name=backend.internal"); status != 201 {
		t.Fatalf("upstream: %d %v", status, body)
	}
	curlForm(t, http.MethodPost, gw.AdminURL+"/upstreams/backend.internal/targets", "target="+a.Addr(), "weight=200")
	curlForm(t, http.MethodPost, gw.AdminURL+"/upstreams/backend.internal/targets", "target="+b.Addr(), "weight=100")
	setup(t, gw, "balanced", "http://backend.internal:80", map[string]any{"paths": []string{"/lb"}})
	waitRoute(t, gw.ProxyURL+"/lb", nil)
	beforeA, beforeB := a.Requests(), b.Requests()
	for i := 0; i < 300; i++ {
		if resp, _ := proxyGet(t, gw.ProxyURL+"/lb", nil); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	gotA, gotB := a.Requests()-beforeA, b.Requests()-beforeB
	if gotA != 200 || gotB != 100 {
		t.Fatalf("weighted round-robin 2:1 over 300 requests: a=%d b=%d", gotA, gotB)
	}
	_, echo := proxyGet(t, gw.ProxyURL+"/lb", nil)
	if echo.Host != "backend.internal" {
		t.Fatalf("upstream Host = %q, want the service host", echo.Host)
	}
}

func TestProxyForwardingHeadersAndTrust(t *testing.T) {
	up := upstream.Start(t)
	spoofed := http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"evil.test"}, "X-Forwarded-For": {"10.9.9.9"},
		"X-Real-Ip": {"10.1.1.1"}, "Connection": {"X-Drop-Me, X-Forwarded-Host"}, "X-Drop-Me": {"1"}}

	t.Run("untrusted peer", func(t *testing.T) {
		gw := harness.StartGatewayd(t, harness.Options{})
		setup(t, gw, "h", up.URL, map[string]any{"paths": []string{"/h"}})
		waitRoute(t, gw.ProxyURL+"/h", nil)
		_, echo := proxyGet(t, gw.ProxyURL+"/h/p?q", spoofed)
		h := http.Header(echo.Headers)
		want := map[string]string{"X-Forwarded-Proto": "http", "X-Forwarded-Host": "127.0.0.1", "X-Real-Ip": "127.0.0.1",
			"X-Forwarded-For": "10.9.9.9, 127.0.0.1", "X-Forwarded-Path": "/h/p", "X-Forwarded-Prefix": "/h", "Via": "1.1 gatewayd/0.1.0"}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, h.Get(k), v)
			}
		}
		if h.Get("X-Drop-Me") != "" || h.Get("Connection") != "" {
			t.Errorf("hop-by-hop headers leaked: %v", h)
		}
		if echo.Query != "q" {
			t.Errorf("query = %q", echo.Query)
		}
	})
	t.Run("trusted peer", func(t *testing.T) {
		gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"trusted_ips": "127.0.0.1", "allow_debug_header": "on"}})
		setup(t, gw, "h", up.URL, map[string]any{"name": "r1", "paths": []string{"/h"}, "preserve_host": true})
		waitRoute(t, gw.ProxyURL+"/h", nil)
		hdr := spoofed.Clone()
		hdr.Set("Gatewayd-Debug", "1")
		hdr.Set("Host", "client.example:8000")
		resp, echo := proxyGet(t, gw.ProxyURL+"/h/p", hdr)
		if http.Header(echo.Headers).Get("X-Forwarded-Proto") != "https" || http.Header(echo.Headers).Get("X-Real-Ip") != "10.1.1.1" {
			t.Errorf("trusted peer's forwarding headers not kept: %v", echo.Headers)
		}
		if echo.Host != "client.example:8000" {
			t.Errorf("preserve_host: upstream Host = %q", echo.Host)
		}
		if resp.Header.Get("Gatewayd-Route-Name") != "r1" || resp.Header.Get("Gatewayd-Service-Name") != "h" || resp.Header.Get("Gatewayd-Route-Id") == "" {
			t.Errorf("debug headers missing: %v", resp.Header)
		}
	})
}

func TestProxyTLSPicksCertificateBySNI(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	certPEM, keyPEM := selfSignedPEM(t, "api.example.test")
	status, cert := postJSON(t, gw.AdminURL+"/certificates", map[string]any{"cert": certPEM, "key": keyPEM, "snis": []string{"api.example.test"}})
	if status != 201 {
		t.Fatalf("certificate: %d %v", status, cert)
	}
	setup(t, gw, "tls", up.URL, map[string]any{"snis": []string{"api.example.test"}, "protocols": []string{"https"}})
	addr := strings.TrimPrefix(gw.ProxyTLSURL, "https://")
	var served string
	eventually(t, "certificate by SNI", func() bool {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr,
			&tls.Config{ServerName: "api.example.test", InsecureSkipVerify: true}) // #nosec G402 -- self-signed test cert
		if err != nil {
			return false
		}
		defer conn.Close()
		served = conn.ConnectionState().PeerCertificates[0].Subject.CommonName
		return served == "api.example.test"
	})
	client := harness.Client()
	client.Transport.(*http.Transport).TLSClientConfig.ServerName = "api.example.test"
	u, _ := url.Parse(gw.ProxyTLSURL + "/")
	eventually(t, "SNI route", func() bool {
		resp, err := client.Get(u.String())
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

func selfSignedPEM(t *testing.T, host string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

// TestProxyRetriesConnectionFailuresOnTheNextTarget: with one dead and one
// live target, service.retries makes every request succeed.
func TestProxyRetriesConnectionFailuresOnTheNextTarget(t *testing.T) {
	live := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	curlForm(t, http.MethodPost, gw.AdminURL+"/upstreams", "name=flaky.internal")
	curlForm(t, http.MethodPost, gw.AdminURL+"/upstreams/flaky.internal/targets", "target="+freeClosedPort(t))
	curlForm(t, http.MethodPost, gw.AdminURL+"/upstreams/flaky.internal/targets", "target="+live.Addr())
	setup(t, gw, "flaky", "http://flaky.internal", map[string]any{"paths": []string{"/flaky"}})
	waitRoute(t, gw.ProxyURL+"/flaky", nil)
	for i := 0; i < 20; i++ {
		if resp, _ := proxyGet(t, gw.ProxyURL+"/flaky", nil); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d; a refused connection must be retried on the next target", i, resp.StatusCode)
		}
	}
	if status, _ := curlForm(t, http.MethodPatch, gw.AdminURL+"/services/flaky", "retries=0"); status != 200 {
		t.Fatal("patch retries")
	}
	eventually(t, "a 502 once retries=0", func() bool {
		resp, _ := proxyGet(t, gw.ProxyURL+"/flaky", nil)
		return resp.StatusCode == 502
	})
}

// TestProxyClosesSlowHeaderClients: a client that never finishes its headers
// is cut off after client_header_timeout (slowloris defence).
func TestProxyClosesSlowHeaderClients(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"client_header_timeout": "1"}})
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(gw.ProxyURL, "http://"), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			break // closed by the server (any answer, then EOF)
		}
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("slow client kept for %s; client_header_timeout is 1s", waited)
	}
}
