package proxy

import (
	"bufio"
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
// path appends into a pooled buffer and hands it to a writer goroutine;
// when the writer falls behind, lines are dropped and counted rather than
// slowing requests.
type AccessLog struct {
	ch      chan []byte
	w       *bufio.Writer
	done    chan struct{}
	dropped atomic.Int64
	pool    sync.Pool
}

// NewAccessLog starts a writer on w.
func NewAccessLog(w io.Writer) *AccessLog {
	a := &AccessLog{ch: make(chan []byte, 4096), w: bufio.NewWriterSize(w, 64<<10), done: make(chan struct{})}
	a.pool.New = func() any { b := make([]byte, 0, 512); return &b }
	go a.run()
	return a
}

func (a *AccessLog) run() {
	defer close(a.done)
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case line, ok := <-a.ch:
			if !ok {
				_ = a.w.Flush()
				return
			}
			_, _ = a.w.Write(line)
			b := line[:0]
			a.pool.Put(&b)
		case <-ticker.C:
			_ = a.w.Flush()
		}
	}
}

// Close flushes and stops the writer.
func (a *AccessLog) Close() {
	close(a.ch)
	<-a.done
}

// Dropped is the number of lines dropped because the writer fell behind.
func (a *AccessLog) Dropped() int64 { return a.dropped.Load() }

func (a *AccessLog) submit(b []byte) {
	select {
	case a.ch <- b:
	default:
		a.dropped.Add(1)
	}
}

func (p *Proxy) logLocal(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, status int) {
	p.logRequest(ctx, st, start, nil, nil, "", nil, status, 0)
}

// logRequest records the route, service, upstream hostname AND the resolved
// IP:port actually used (Kong's log has only the IP).
func (p *Proxy) logRequest(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, rt *runtime.Route, svc *runtime.Service,
	target string, upstreamAddr net.Addr, status int, upstreamLatency time.Duration) {
	a := p.opts.AccessLog
	if a == nil {
		return
	}
	bp := a.pool.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = start.UTC().AppendFormat(b, time.RFC3339Nano)
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
		b = appendJSONString(b, []byte(rt.Name))
		b = append(b, `"}`...)
	}
	if svc != nil {
		b = append(b, `,"service":{"id":"`...)
		b = append(b, svc.ID...)
		b = append(b, `","name":"`...)
		b = appendJSONString(b, []byte(svc.Name))
		b = append(b, `"},"upstream":{"host":"`...)
		b = appendJSONString(b, []byte(target))
		b = append(b, `","addr":"`...)
		if upstreamAddr != nil {
			b = append(b, upstreamAddr.String()...)
		}
		b = append(b, `","uri":"`...)
		b = appendJSONString(b, ctx.Request.Header.RequestURI())
		b = append(b, `"}`...)
	}
	b = append(b, "}\n"...)
	*bp = b
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
