package proxy

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Inline socket I/O.
//
// Go issues every read and write on a socket as a "blocking" system call:
// it tells the scheduler first (entersyscall), and when the call outlasts
// two ticks of the runtime's monitor thread (sysmon, every 20 µs while it
// finds work), the monitor hands the goroutine's P to another thread. On
// loopback a write runs the receiver's TCP work inline and often takes that
// long, so a proxy with one P hands its P back and forth between threads on
// the same core many thousand times a second: each hand-off is two context
// switches, and the monitor itself keeps polling at its fastest because it
// keeps finding work. Measured on the benchmark box at a fixed 20k req/s,
// a bare fasthttp proxy made ~20k context switches a second, half of them
// from this.
//
// The sockets are non-blocking (Go's netpoller owns them), so a read or
// write never sleeps in the kernel: it copies what it can or returns
// EAGAIN. inlineConn issues them as raw system calls through
// syscall.RawConn, which keeps the P on the calling thread for the few
// microseconds the call takes and still parks the goroutine on the
// netpoller (with its deadlines) when the socket is not ready.

// inlineConn is a TCP connection whose Read and Write are raw system calls
// on its non-blocking socket. Everything else (deadlines, Close, addresses,
// CloseWrite, sendfile/splice through ReadFrom/WriteTo) is the embedded
// *net.TCPConn's.
//
// The callbacks RawConn runs are method values made once per connection,
// and their arguments and results travel in the struct, so a read or a
// write allocates nothing (a closure per call would be three allocations).
// Each direction's mutex keeps concurrent Reads (or Writes) from sharing
// those fields, as net.Conn allows them; uncontended, as in the proxy, it
// costs a few nanoseconds.
type inlineConn struct {
	*net.TCPConn
	rc syscall.RawConn

	rmu    sync.Mutex
	rbuf   []byte
	rn     int
	rerrno syscall.Errno
	readFn func(fd uintptr) bool

	// Deadlines are re-armed lazily (see lazyDeadline). dmu is their own
	// lock: a deadline set must not wait for a blocked Read.
	dmu    sync.Mutex
	rd, wd lazyDeadline

	wmu     sync.Mutex
	wbuf    []byte
	wn      int
	werrno  syscall.Errno
	writeFn func(fd uintptr) bool
}

// wrapInline returns c with inline reads and writes when it is a TCP
// connection, and c itself otherwise.
func wrapInline(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	ic := &inlineConn{TCPConn: tc, rc: rc}
	ic.readFn, ic.writeFn = ic.readOnce, ic.writeOnce
	return ic
}

// lazyDeadline is one direction's deadline. fasthttp sets deadlines for
// every request — on a client connection the keep-alive idle timeout
// (75 s) and then the header timeout (60 s), on an upstream connection
// the service's write and read timeouts — and each set moves a timer in
// the runtime's heap (~0.25 µs, with a clock read). Instead, the runtime
// deadline is armed a little later than asked (1/32 of the timeout, at
// most 1 s) and kept while later requests ask for a deadline that it
// does not overshoot by more than that margin and that are not more than
// half the armed timeout later. A deadline armed earlier than the
// one now asked for may fire early: Read and Write then re-arm it exactly
// and carry on (rearm), so callers never see a timeout before their
// deadline and see it at most the margin late. With the alternating 75 s
// and 60 s client deadlines the runtime deadline moves twice every ~16 s
// instead of twice per request; an idle connection pays one early wake-up.
type lazyDeadline struct {
	want  int64 // UnixNano the caller asked for; 0 = none
	armed int64 // UnixNano of the runtime's deadline; 0 = none
	late  int64 // how much later than asked it was armed (ns)
	early int64 // how much earlier than armed a later ask may be (ns)
}

// next records t and reports whether the armed deadline can stand for
// it; otherwise it returns the deadline to arm and records it.
func (d *lazyDeadline) next(t time.Time) (keep bool, arm time.Time) {
	if t.IsZero() {
		d.want = 0
		if d.armed == 0 {
			return true, t
		}
		d.armed, d.late, d.early = 0, 0, 0
		return false, t
	}
	want := t.UnixNano()
	d.want = want
	if d.armed != 0 && d.armed-want <= d.late && want-d.armed <= d.early {
		return true, t
	}
	timeout := max(time.Until(t), 0)
	late := min(timeout/32, time.Second)
	arm = t.Add(late)
	d.armed, d.late, d.early = arm.UnixNano(), int64(late), int64(timeout/2)
	return false, arm
}

// expired reports whether a runtime deadline that fired is the caller's;
// otherwise it returns the deadline to arm instead (the exact one asked
// for, or none) and records it.
func (d *lazyDeadline) expired(now time.Time) (real bool, arm time.Time) {
	if d.want != 0 && now.UnixNano() >= d.want {
		return true, time.Time{}
	}
	d.armed, d.late, d.early = d.want, 0, 0
	if d.want != 0 {
		arm = time.Unix(0, d.want)
	}
	return false, arm
}

// SetReadDeadline and SetWriteDeadline re-arm lazily.
func (c *inlineConn) SetReadDeadline(t time.Time) error { return c.setLazy(true, t) }

func (c *inlineConn) SetWriteDeadline(t time.Time) error { return c.setLazy(false, t) }

// lazy returns one direction's deadline state.
func (c *inlineConn) lazy(read bool) *lazyDeadline {
	if read {
		return &c.rd
	}
	return &c.wd
}

// armRuntime moves the runtime's deadline for one direction (a direct
// call, not a method value: this runs per request and must not allocate).
func (c *inlineConn) armRuntime(read bool, t time.Time) error {
	if read {
		return c.TCPConn.SetReadDeadline(t)
	}
	return c.TCPConn.SetWriteDeadline(t)
}

// setLazy records t and moves the runtime's deadline only when the armed
// one cannot stand. The runtime call is made under dmu, so its state
// always matches d.armed whichever goroutines set deadlines or re-arm.
func (c *inlineConn) setLazy(read bool, t time.Time) error {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if keep, arm := c.lazy(read).next(t); !keep {
		return c.armRuntime(read, arm)
	}
	return nil
}

// rearm is called when a Read or Write failed on its runtime deadline:
// it reports whether the deadline was the caller's (a real timeout) or
// one armed early, now re-armed exactly, after which the call is retried.
func (c *inlineConn) rearm(read bool, err error) (retry bool) {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	c.dmu.Lock()
	defer c.dmu.Unlock()
	real, arm := c.lazy(read).expired(time.Now())
	return !real && c.armRuntime(read, arm) == nil
}

// SetDeadline sets both deadlines exactly (the TLS handshake's bound).
func (c *inlineConn) SetDeadline(t time.Time) error {
	var at int64
	if !t.IsZero() {
		at = t.UnixNano()
	}
	c.dmu.Lock()
	defer c.dmu.Unlock()
	c.rd, c.wd = lazyDeadline{want: at, armed: at}, lazyDeadline{want: at, armed: at}
	return c.TCPConn.SetDeadline(t)
}

// readOnce and writeOnce run inside RawConn.Read/Write, which call them
// again once the netpoller reports the socket ready when they return
// false (EAGAIN).
func (c *inlineConn) readOnce(fd uintptr) bool {
	c.rn, c.rerrno = rawIO(syscall.SYS_READ, fd, c.rbuf)
	return c.rerrno != syscall.EAGAIN
}

func (c *inlineConn) writeOnce(fd uintptr) bool {
	c.wn, c.werrno = rawIO(syscall.SYS_WRITE, fd, c.wbuf)
	return c.werrno != syscall.EAGAIN
}

// Read reads like net.Conn.Read: io.EOF at the end of the stream, a
// *net.OpError otherwise (with os.ErrDeadlineExceeded on a deadline).
func (c *inlineConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	c.rbuf = b
	err := c.rc.Read(c.readFn)
	for err != nil && c.rearm(true, err) {
		err = c.rc.Read(c.readFn)
	}
	n, errno := c.rn, c.rerrno
	c.rbuf = nil
	c.rmu.Unlock()
	if err != nil {
		return 0, c.opError("read", err)
	}
	if errno != 0 {
		return 0, c.opError("read", os.NewSyscallError("read", errno))
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of b, waiting on the netpoller while the socket's send
// buffer is full, like net.Conn.Write.
func (c *inlineConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	done := 0
	for done < len(b) {
		c.wbuf = b[done:]
		err := c.rc.Write(c.writeFn)
		for err != nil && c.rearm(false, err) {
			err = c.rc.Write(c.writeFn)
		}
		n, errno := c.wn, c.werrno
		c.wbuf = nil
		if err != nil {
			return done, c.opError("write", err)
		}
		if errno != 0 {
			return done, c.opError("write", os.NewSyscallError("write", errno))
		}
		done += n
	}
	return done, nil
}

// rawIO issues one read or write of b on fd, retrying on EINTR.
func rawIO(trap, fd uintptr, b []byte) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), 0
	}
}

// opError wraps err the way net.Conn does, so that callers telling
// timeouts (net.Error.Timeout, os.ErrDeadlineExceeded) and closed
// connections (net.ErrClosed) from other failures see the same errors.
// RawConn reports its own failures as a "raw-read"/"raw-write" OpError;
// the inner error is kept.
func (c *inlineConn) opError(op string, err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// inlineListener accepts connections with inline socket I/O.
type inlineListener struct{ net.Listener }

func (l inlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wrapInline(c), nil
}
