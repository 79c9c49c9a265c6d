package tcplog

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// line is one line a test server read, with the number of the connection
// it came on.
type line struct {
	conn int
	text string
}

// tcpServer accepts connections on 127.0.0.1 and reports every line; with
// closeAfterFirst it hangs up each connection after its first line.
type tcpServer struct {
	ln              net.Listener
	lines           chan line
	eofs            chan int
	conns           atomic.Int32
	closeAfterFirst bool
	sni             atomic.Value
}

func newTCPServer(t *testing.T, tlsConfig *tls.Config, closeAfterFirst bool) *tcpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tcpServer{ln: ln, lines: make(chan line, 100), eofs: make(chan int, 10), closeAfterFirst: closeAfterFirst}
	if tlsConfig != nil {
		tlsConfig.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			s.sni.Store(hello.ServerName)
			return nil, nil
		}
		s.ln = tls.NewListener(ln, tlsConfig)
	}
	t.Cleanup(func() { _ = s.ln.Close() })
	go func() {
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			n := int(s.conns.Add(1))
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					s.lines <- line{conn: n, text: sc.Text()}
					if s.closeAfterFirst {
						return
					}
				}
				s.eofs <- n
			}()
		}
	}()
	return s
}

func (s *tcpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *tcpServer) next(t *testing.T) line {
	t.Helper()
	select {
	case l := <-s.lines:
		return l
	case <-time.After(5 * time.Second):
		t.Fatal("the server got no line")
	}
	return line{}
}

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": 9999}})
	cfg := doc["config"].(map[string]any)
	if cfg["timeout"] != 10000.0 || cfg["keepalive"] != 60000.0 || cfg["tls"] != false || cfg["tls_sni"] != nil {
		t.Fatalf("defaults: %v", cfg)
	}
	cases := []struct {
		name   string
		config schema.Doc
		want   string
	}{
		{"host and port are required", schema.Doc{}, "2 schema violations (config.host: required field missing; config.port: required field missing)"},
		{"host has no port", schema.Doc{"host": "example.com:80", "port": 1}, "schema violation (config.host: must not have a port)"},
		{"host is a host", schema.Doc{"host": "exa mple", "port": 1}, "schema violation (config.host: invalid value: exa mple)"},
		{"port range", schema.Doc{"host": "h", "port": 70000}, "schema violation (config.port: value should be between 0 and 65535)"},
		{"Lua rejected", schema.Doc{"host": "h", "port": 1, "custom_fields_by_lua": schema.Doc{"a": "return 1"}},
			"schema violation (config.custom_fields_by_lua: " + msgLuaUnsupported + ")"},
		{"empty Lua accepted", schema.Doc{"host": "h", "port": 1, "custom_fields_by_lua": schema.Doc{}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(schema.Doc{"name": Name, "config": tc.config}); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSendsOneJSONLinePerRequestOverAKeptConnection(t *testing.T) {
	srv := newTCPServer(t, nil, false)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": srv.port()}})
	h.Do(plugintest.Request{URI: "/first", Headers: [][2]string{{"Proxy-Authorization", "Basic x"}}}, plugintest.Upstream{Status: 200})
	h.Do(plugintest.Request{URI: "/second"}, plugintest.Upstream{Status: 500})
	a, b := srv.next(t), srv.next(t)
	if a.conn != b.conn {
		t.Fatalf("lines on connections %d and %d, want one kept connection", a.conn, b.conn)
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(a.text), &first); err != nil {
		t.Fatalf("line %q: %v", a.text, err)
	}
	if err := json.Unmarshal([]byte(b.text), &second); err != nil {
		t.Fatalf("line %q: %v", b.text, err)
	}
	req := first["request"].(map[string]any)
	if req["uri"] != "/first" || req["headers"].(map[string]any)["proxy-authorization"] != "REDACTED" {
		t.Fatalf("first line: %v", req)
	}
	if second["response"].(map[string]any)["status"] != 500.0 {
		t.Fatalf("second line: %v", second["response"])
	}
}

func TestReconnectsAfterTheServerHangsUp(t *testing.T) {
	staleAfter = 0
	t.Cleanup(func() { staleAfter = time.Second })
	srv := newTCPServer(t, nil, true)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": srv.port()}})
	h.Do(plugintest.Request{URI: "/a"}, plugintest.Upstream{})
	a := srv.next(t)
	time.Sleep(50 * time.Millisecond) // let the hang-up arrive
	h.Do(plugintest.Request{URI: "/b"}, plugintest.Upstream{})
	b := srv.next(t)
	if a.conn == b.conn {
		t.Fatal("expected a new connection")
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(b.text), &entry); err != nil || entry["request"].(map[string]any)["uri"] != "/b" {
		t.Fatalf("line after reconnect: %s", b.text)
	}
}

func TestIdleConnectionIsClosedAfterKeepalive(t *testing.T) {
	srv := newTCPServer(t, nil, false)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": srv.port(), "keepalive": 50}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	l := srv.next(t)
	select {
	case n := <-srv.eofs:
		if n != l.conn {
			t.Fatalf("closed connection %d, used %d", n, l.conn)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("idle connection kept open past keepalive")
	}
}

func TestTLSWithSNI(t *testing.T) {
	srv := newTCPServer(t, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}, false)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": srv.port(), "tls": true, "tls_sni": "logs.example"}})
	h.Do(plugintest.Request{URI: "/tls"}, plugintest.Upstream{})
	var entry map[string]any
	if err := json.Unmarshal([]byte(srv.next(t).text), &entry); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.sni.Load().(string); got != "logs.example" {
		t.Fatalf("SNI %q", got)
	}
}

func TestSenderIsFlushedAndClosedWhenThePluginIsRemoved(t *testing.T) {
	srv := newTCPServer(t, nil, false)
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": srv.port()}})
	h.Do(plugintest.Request{URI: "/x"}, plugintest.Upstream{})
	o, err := optionsFrom(doc["config"].(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.Host.Keep(keepKey(o), func() (any, error) { return nil, errors.New("sender not kept") })
	if err != nil {
		t.Fatal(err)
	}
	s := v.(*sender)

	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	gen := h.Host.BeginBuild()
	plugin.Compile(cat, nil, plugin.NewData(nil), h.Host, nil)
	h.Host.Commit(gen)

	srv.next(t)
	select {
	case <-s.stopped:
	case <-time.After(time.Second):
		t.Fatal("sender still running")
	}
	select {
	case <-srv.eofs:
	case <-time.After(3 * time.Second):
		t.Fatal("connection not closed")
	}
	if s.enqueue([]byte("late\n")) {
		t.Fatal("a closed sender must drop late lines")
	}
}

func TestUnreachableServerDoesNotAffectRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"host": "127.0.0.1", "port": port, "timeout": 200}})
	if res := h.Do(plugintest.Request{}, plugintest.Upstream{Status: 201}); res.Status != 201 {
		t.Fatalf("status %d", res.Status)
	}
}

func TestFullQueueDropsAndCounts(t *testing.T) {
	s := newSender(options{addr: "127.0.0.1:1", timeout: time.Second}, 1, nil) // not started
	s.enqueue([]byte("a\n"))
	s.enqueue([]byte("b\n"))
	if s.dropped.Load() != 1 {
		t.Fatalf("dropped %d", s.dropped.Load())
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"logs.example"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
