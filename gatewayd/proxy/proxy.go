// Package proxy is gatewayd's data plane: listeners, the request pipeline
// (route match, Kong's forwarding headers, upstream call with retries) and
// Kong's error responses. It runs on fasthttp for throughput; nothing here
// allocates per request beyond what fasthttp pools.
package proxy

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/valyala/fasthttp"
)

// Options configure the proxy.
type Options struct {
	Version  string
	Snapshot func() *runtime.Snapshot

	TrustedIPs      []netip.Prefix
	RealIPHeader    string
	RealIPRecursive bool

	AllowDebugHeader bool
	// InlineSocketIO issues the proxy's socket reads and writes (client
	// and upstream side) as raw system calls on Linux (sockio_linux.go).
	InlineSocketIO bool
	// Response headers, as Kong's "headers" setting enables them.
	ServerTokens    bool
	LatencyTokens   bool
	RequestIDHeader bool
	// UpstreamRequestID sends X-Gatewayd-Request-Id upstream.
	UpstreamRequestID bool
	// ErrorDefaultType is the content type of upstream-failure errors when
	// the client's Accept names none we serve ("text/plain" like Kong).
	ErrorDefaultType string

	MaxHeaderBytes    int
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	MaxBodyBytes      int64

	KeepaliveIdle time.Duration

	// DefaultCert serves TLS clients whose SNI matches no certificate.
	DefaultCert *tls.Certificate
	AccessLog   *AccessLog
	Logger      *slog.Logger
}

// Proxy is the data plane.
type Proxy struct {
	opts     Options
	clients  sync.Map // pool key -> *fasthttp.HostClient
	dialer   *fasthttp.TCPDialer
	via      []byte
	server   []byte
	idPrefix [16]byte
	seq      atomic.Uint64
	stats    stats
}

type stats struct {
	accepted, active, handled, total atomic.Int64
}

// New creates a proxy.
func New(opts Options) *Proxy {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ErrorDefaultType == "" {
		opts.ErrorDefaultType = "text/plain"
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = 32 << 10
	}
	if opts.KeepaliveIdle <= 0 {
		opts.KeepaliveIdle = 60 * time.Second
	}
	p := &Proxy{
		opts:   opts,
		dialer: &fasthttp.TCPDialer{Concurrency: 0, DNSCacheDuration: 30 * time.Second},
		via:    []byte("1.1 gatewayd/" + opts.Version),
		server: []byte("gatewayd/" + opts.Version),
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	hex.Encode(p.idPrefix[:], b[:])
	return p
}

// WrapListener returns ln with inline socket I/O on the connections it
// accepts when Options.InlineSocketIO is set (a no-op wrapper where the
// platform has none). TLS listeners wrap the result.
func (p *Proxy) WrapListener(ln net.Listener) net.Listener {
	if p.opts.InlineSocketIO {
		return inlineListener{ln}
	}
	return ln
}

// dial connects to an upstream, with inline socket I/O when configured.
func (p *Proxy) dial(addr string, timeout time.Duration) (net.Conn, error) {
	c, err := p.dialer.DialTimeout(addr, timeout)
	if err != nil || !p.opts.InlineSocketIO {
		return c, err
	}
	return wrapInline(c), nil
}

// Listener describes where a server accepts connections.
type Listener struct {
	Scheme string // "http" or "https"
	Port   int
}

// NewServer returns a fasthttp server for one listener.
func (p *Proxy) NewServer(l Listener) *fasthttp.Server {
	maxBody := int(p.opts.MaxBodyBytes)
	if maxBody <= 0 {
		maxBody = 1 << 30 // client_max_body_size = 0 means unlimited
	}
	portBytes := []byte(strconv.Itoa(l.Port))
	return &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			p.handle(ctx, l, portBytes)
		},
		ErrorHandler:                 p.errorHandler,
		Name:                         string(p.server),
		ReadBufferSize:               p.opts.MaxHeaderBytes,
		ReadTimeout:                  p.opts.ReadHeaderTimeout,
		IdleTimeout:                  p.opts.IdleTimeout,
		MaxRequestBodySize:           maxBody,
		DisablePreParseMultipartForm: true,
		NoDefaultContentType:         true,
		ReduceMemoryUsage:            false,
		CloseOnShutdown:              true,
		Logger:                       fasthttpLogger{p.opts.Logger},
		ConnState: func(_ net.Conn, st fasthttp.ConnState) {
			switch st {
			case fasthttp.StateNew:
				p.stats.accepted.Add(1)
				p.stats.active.Add(1)
			case fasthttp.StateClosed, fasthttp.StateHijacked:
				p.stats.active.Add(-1)
				p.stats.handled.Add(1)
			}
		},
	}
}

// TLSConfig returns the TLS configuration of the HTTPS listener: the
// certificate is chosen per connection by SNI from the current snapshot.
func (p *Proxy) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if snap := p.opts.Snapshot(); snap != nil {
				if c := snap.Certificate(hello.ServerName); c != nil {
					return c, nil
				}
			}
			if p.opts.DefaultCert != nil {
				return p.opts.DefaultCert, nil
			}
			return nil, errors.New("no certificate for " + hello.ServerName)
		},
	}
}

// ServerStatus renders the "server" section of /status.
func (p *Proxy) ServerStatus() map[string]any {
	active := p.stats.active.Load()
	return map[string]any{
		"connections_accepted": p.stats.accepted.Load(),
		"connections_active":   active,
		"connections_handled":  p.stats.handled.Load() + active,
		"connections_reading":  0,
		"connections_writing":  active,
		"connections_waiting":  0,
		"total_requests":       p.stats.total.Load(),
	}
}

// fasthttpLogger routes fasthttp's connection-level messages (malformed
// requests, client resets) to our log at debug level: they are the client's
// problem, answered with a 400, and would flood stderr otherwise.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(fmt.Sprintf(format, args...))
	}
}

// newRequestID writes a 32-hex-digit id: a per-process random prefix and a
// counter, unique without a random read per request.
func (p *Proxy) newRequestID(dst *[32]byte) {
	copy(dst[:16], p.idPrefix[:])
	n := p.seq.Add(1)
	const digits = "0123456789abcdef"
	for i := 31; i >= 16; i-- {
		dst[i] = digits[n&0xf]
		n >>= 4
	}
}
