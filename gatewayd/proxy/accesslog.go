package proxy

import (
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/valyala/fasthttp"
)

// AccessLog writes one JSON object per request, asynchronously: the hot
// path formats the line and appends it to a shared batch under a mutex; a
// writer goroutine writes the batch out every flushEvery, or as soon as it
// holds flushSize bytes. Requests never wait for the disk and never wake
// the writer one line at a time; when the writer falls behind by more than
// maxPending bytes, lines are dropped and counted rather than slowing
// requests.
type AccessLog struct {
	w       io.Writer
	mu      sync.Mutex
	batch   []byte
	closed  bool
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Int64
	clock   logClock
}

const (
	flushEvery = 200 * time.Millisecond
	flushSize  = 32 << 10
	maxPending = 4 << 20
)

// NewAccessLog starts a writer on w.
func NewAccessLog(w io.Writer) *AccessLog {
	a := &AccessLog{w: w, batch: make([]byte, 0, flushSize*2), wake: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *AccessLog) run() {
	defer close(a.done)
	ticker := time.NewTicker(flushEvery)
	defer ticker.Stop()
	spare := make([]byte, 0, flushSize*2)
	for {
		select {
		case <-a.stop:
			spare = a.flush(spare)
			return
		case <-a.wake:
		case <-ticker.C:
		}
		spare = a.flush(spare)
	}
}

// flush swaps the batch for the (empty) spare buffer and writes it.
func (a *AccessLog) flush(spare []byte) []byte {
	a.mu.Lock()
	out := a.batch
	a.batch = spare[:0]
	a.mu.Unlock()
	if len(out) > 0 {
		_, _ = a.w.Write(out)
	}
	if cap(out) > maxPending { // do not keep a burst's buffer forever
		return make([]byte, 0, flushSize*2)
	}
	return out[:0]
}

// Close flushes and stops the writer.
func (a *AccessLog) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	a.mu.Unlock()
	close(a.stop)
	<-a.done
}

// Dropped is the number of lines dropped because the writer fell behind.
func (a *AccessLog) Dropped() int64 { return a.dropped.Load() }

func (a *AccessLog) submit(line []byte) {
	a.mu.Lock()
	if a.closed || len(a.batch)+len(line) > maxPending {
		a.mu.Unlock()
		a.dropped.Add(1)
		return
	}
	before := len(a.batch)
	a.batch = append(a.batch, line...)
	after := len(a.batch)
	a.mu.Unlock()
	if before < flushSize && after >= flushSize {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

// logClock formats timestamps as time.RFC3339Nano in UTC, reusing the
// formatted date and time of the last second seen: only the fraction is
// formatted per line.
type logClock struct {
	mu     sync.Mutex
	sec    int64
	prefix []byte // "2006-01-02T15:04:05"
}

func (c *logClock) appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	sec := t.Unix()
	c.mu.Lock()
	if c.prefix == nil || c.sec != sec {
		c.sec = sec
		c.prefix = t.Truncate(time.Second).AppendFormat(c.prefix[:0], "2006-01-02T15:04:05")
	}
	b = append(b, c.prefix...)
	c.mu.Unlock()
	if ns := t.Nanosecond(); ns != 0 {
		// RFC3339Nano: the fraction without trailing zeros.
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}

// appendAddr appends a network address; TCP addresses (the usual upstream)
// without allocating.
func appendAddr(b []byte, addr net.Addr) []byte {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.AddrPort().AppendTo(b)
	}
	return append(b, addr.String()...)
}

func (p *Proxy) logLocal(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, status int) {
	p.logRequest(ctx, st, start, nil, nil, "", nil, status, 0)
}

// logRequest records the route, service, upstream hostname AND the resolved
// IP:port actually used (Kong's log has only the IP). The line is built in
// the request's pooled scratch state.
func (p *Proxy) logRequest(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, rt *runtime.Route, svc *runtime.Service,
	target string, upstreamAddr net.Addr, status int, upstreamLatency time.Duration) {
	a := p.opts.AccessLog
	if a == nil {
		return
	}
	b := st.logLine[:0]
	b = append(b, `{"time":"`...)
	b = a.clock.appendTime(b, start)
	b = append(b, `","request_id":"`...)
	b = append(b, st.id[:]...)
	b = append(b, `","client_ip":"`...)
	b = appendClientIP(b, ctx)
	b = append(b, `","method":"`...)
	b = appendJSONString(b, ctx.Request.Header.Method())
	b = append(b, `","uri":"`...)
	b = appendJSONString(b, st.rawPath)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"response_size":`...)
	b = strconv.AppendInt(b, int64(len(ctx.Response.Body())), 10)
	b = append(b, `,"latencies":{"request":`...)
	b = strconv.AppendInt(b, time.Since(start).Milliseconds(), 10)
	b = append(b, `,"upstream":`...)
	b = strconv.AppendInt(b, upstreamLatency.Milliseconds(), 10)
	b = append(b, '}')
	if rt != nil {
		b = append(b, `,"route":{"id":"`...)
		b = append(b, rt.ID...)
		b = append(b, `","name":"`...)
		b = appendJSONStringS(b, rt.Name)
		b = append(b, `"}`...)
	}
	if svc != nil {
		b = append(b, `,"service":{"id":"`...)
		b = append(b, svc.ID...)
		b = append(b, `","name":"`...)
		b = appendJSONStringS(b, svc.Name)
		b = append(b, `"},"upstream":{"host":"`...)
		b = appendJSONStringS(b, target)
		b = append(b, `","addr":"`...)
		if upstreamAddr != nil {
			b = appendAddr(b, upstreamAddr)
		}
		b = append(b, `","uri":"`...)
		b = appendJSONString(b, ctx.Request.Header.RequestURI())
		b = append(b, `"}`...)
	}
	b = append(b, "}\n"...)
	st.logLine = b
	a.submit(b)
}

func appendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendJSONStringS is appendJSONString for a string, without converting it.
func appendJSONStringS(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return b
}
