package tcplog

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"
)

const (
	// queueCapacity bounds the lines waiting to be sent; when full, new
	// lines are dropped and counted.
	queueCapacity = 8192
	// maxBatch is how many queued lines one write takes at most.
	maxBatch = 512
	// closeWait bounds how long Close waits for queued lines.
	closeWait = 5 * time.Second
	// warnEvery rate-limits repeated error logs.
	warnEvery = 10 * time.Second
)

// staleAfter is the idle time after which a kept connection is probed for
// a close by the peer before it is written to (a variable for tests).
var staleAfter = time.Second

type options struct {
	addr      string
	timeout   time.Duration
	keepalive time.Duration // 0: never closed for idleness
	tls       bool
	sni       string
}

// sender writes lines to one destination over a kept connection, from a
// single goroutine: it connects on demand (TLS when configured, without
// certificate verification as Kong's tcp-log), reconnects after a failure,
// and closes the connection after keepalive of idleness. Close sends what
// is queued and stops; later lines are dropped silently.
type sender struct {
	o       options
	ch      chan []byte
	done    chan struct{}
	stopped chan struct{}
	closed  atomic.Bool
	dropped atomic.Uint64
	log     *slog.Logger

	// Owned by the sender goroutine.
	conn     net.Conn
	lastUsed time.Time
	buf      []byte
	lastWarn time.Time
}

func newSender(o options, capacity int, log *slog.Logger) *sender {
	if log == nil {
		log = slog.Default()
	}
	return &sender{o: o, ch: make(chan []byte, capacity), done: make(chan struct{}),
		stopped: make(chan struct{}), log: log.With("addr", o.addr)}
}

func (s *sender) start() { go s.run() }

// enqueue queues one line without blocking.
func (s *sender) enqueue(line []byte) bool {
	if s.closed.Load() {
		return false
	}
	select {
	case s.ch <- line:
		return true
	default:
		s.dropped.Add(1)
		return false
	}
}

// Close sends the queued lines and stops, waiting at most closeWait.
func (s *sender) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.done)
	select {
	case <-s.stopped:
	case <-time.After(closeWait):
		s.log.Warn("tcp-log: closing before every queued line was sent")
	}
	return nil
}

func (s *sender) run() {
	defer close(s.stopped)
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	batch := make([][]byte, 0, maxBatch)
	var reported uint64
	for {
		select {
		case line := <-s.ch:
			batch = s.drain(append(batch[:0], line))
			s.write(batch)
			if s.conn != nil && s.o.keepalive > 0 {
				idle.Reset(s.o.keepalive)
			}
		case <-idle.C:
			s.closeConn()
		case <-s.done:
			idle.Stop()
			for {
				batch = s.drain(batch[:0])
				if len(batch) == 0 {
					break
				}
				s.write(batch)
			}
			s.closeConn()
			return
		}
		if d := s.dropped.Load(); d != reported && s.mayWarn() {
			s.log.Warn("tcp-log: queue full, log lines dropped", "dropped", d-reported)
			reported = d
		}
	}
}

func (s *sender) drain(batch [][]byte) [][]byte {
	for len(batch) < maxBatch {
		select {
		case line := <-s.ch:
			batch = append(batch, line)
		default:
			return batch
		}
	}
	return batch
}

// write sends a batch in one write. A reused connection that turns out
// broken is replaced once; lines that cannot be sent are dropped and
// logged, as Kong does.
func (s *sender) write(batch [][]byte) {
	s.buf = s.buf[:0]
	for i, line := range batch {
		s.buf = append(s.buf, line...)
		batch[i] = nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		reused := s.conn != nil
		if reused && time.Since(s.lastUsed) >= staleAfter && s.peerClosed() {
			s.closeConn()
			reused = false
		}
		if s.conn == nil {
			if err := s.connect(); err != nil {
				if s.mayWarn() {
					s.log.Error("tcp-log: failed to connect", "error", err)
				}
				return
			}
		}
		_ = s.conn.SetWriteDeadline(time.Now().Add(s.o.timeout))
		_, err := s.conn.Write(s.buf)
		if err == nil {
			s.lastUsed = time.Now()
			break
		}
		s.closeConn()
		if !reused || attempt == 1 {
			if s.mayWarn() {
				s.log.Error("tcp-log: failed to send data", "error", err)
			}
			break
		}
	}
	if cap(s.buf) > 1<<20 {
		s.buf = nil
	}
}

func (s *sender) connect() error {
	conn, err := net.DialTimeout("tcp", s.o.addr, s.o.timeout)
	if err != nil {
		return err
	}
	if s.o.tls {
		tc := tls.Client(conn, &tls.Config{ServerName: s.o.sni, InsecureSkipVerify: true}) //nolint:gosec // Kong parity: sslhandshake(..., verify = false)
		_ = tc.SetDeadline(time.Now().Add(s.o.timeout))
		if err := tc.Handshake(); err != nil {
			_ = conn.Close()
			return errors.New("failed to perform TLS handshake: " + err.Error())
		}
		_ = tc.SetDeadline(time.Time{})
		conn = tc
	}
	s.conn = conn
	s.lastUsed = time.Now()
	return nil
}

// peerClosed probes an idle connection: a log server never writes, so
// readable data or EOF means it is gone.
func (s *sender) peerClosed() bool {
	_ = s.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	_, err := s.conn.Read(b[:])
	_ = s.conn.SetReadDeadline(time.Time{})
	if err == nil || errors.Is(err, io.EOF) {
		return true
	}
	return !errors.Is(err, os.ErrDeadlineExceeded)
}

func (s *sender) closeConn() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
}

func (s *sender) mayWarn() bool {
	now := time.Now()
	if now.Sub(s.lastWarn) < warnEvery {
		return false
	}
	s.lastWarn = now
	return true
}
