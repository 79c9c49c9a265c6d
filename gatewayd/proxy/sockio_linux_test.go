package proxy

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// inlinePair returns a connected loopback pair: the accepted side wrapped
// by inlineListener, the dialed side wrapped by wrapInline.
func inlinePair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	il := inlineListener{ln}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := il.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client = wrapInline(raw)
	server = <-accepted
	for _, c := range []net.Conn{server, client} {
		if _, ok := c.(*inlineConn); !ok {
			t.Fatalf("%T is not wrapped", c)
		}
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// A transfer larger than both socket buffers makes writes return partial
// counts and EAGAIN, so the writer must wait on the netpoller and resume
// where it stopped; the reader sees every byte in order.
func TestInlineConnTransfersMoreThanTheSocketBuffers(t *testing.T) {
	server, client := inlinePair(t)
	want := make([]byte, 16<<20)
	if _, err := rand.Read(want); err != nil {
		t.Fatal(err)
	}
	werr := make(chan error, 1)
	go func() {
		n, err := client.Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		werr <- err
		client.(*inlineConn).CloseWrite()
	}()
	got, err := io.ReadAll(server)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-werr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("received %d bytes, want %d identical bytes", len(got), len(want))
	}
}

// Callers tell an upstream timeout (504) from other failures by
// net.Error.Timeout and os.ErrDeadlineExceeded, as with net.Conn.
func TestInlineConnReadDeadlineIsATimeout(t *testing.T) {
	server, _ := inlinePair(t)
	if err := server.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	n, err := server.Read(make([]byte, 10))
	if n != 0 || err == nil {
		t.Fatalf("read = %d, %v; want a timeout", n, err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("error %#v is not a timeout", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "read" {
		t.Fatalf("error %v is not a read OpError", err)
	}
	if waited := time.Since(start); waited < 40*time.Millisecond {
		t.Fatalf("timed out after %v, before the deadline", waited)
	}
}

func TestInlineConnWriteDeadlineWhileTheBufferIsFull(t *testing.T) {
	_, client := inlinePair(t) // the server never reads
	if err := client.SetWriteDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	n, err := client.Write(make([]byte, 64<<20))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write = %d, %v; want a deadline error", n, err)
	}
	if n <= 0 || n >= 64<<20 {
		t.Fatalf("write reported %d bytes; want the part the buffers took", n)
	}
}

func TestInlineConnReadsEOFWhenThePeerCloses(t *testing.T) {
	server, client := inlinePair(t)
	if _, err := client.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	client.Close()
	got, err := io.ReadAll(server)
	if err != nil || string(got) != "bye" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if n, err := server.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after EOF = %d, %v", n, err)
	}
	if n, err := server.Read(nil); n != 0 || err != nil {
		t.Fatalf("empty read = %d, %v", n, err)
	}
}

func TestInlineConnErrorsAfterCloseAndReset(t *testing.T) {
	server, client := inlinePair(t)
	server.Close()
	if _, err := server.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read on a closed conn: %v, want net.ErrClosed", err)
	}
	if _, err := server.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write on a closed conn: %v, want net.ErrClosed", err)
	}
	// The peer is gone: writing eventually fails with the kernel's error,
	// wrapped as net.Conn wraps it.
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = client.Write([]byte("data"))
		time.Sleep(time.Millisecond)
	}
	var se *os.SyscallError
	if !errors.As(err, &se) || !(errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)) {
		t.Fatalf("write to a closed peer: %#v, want EPIPE or ECONNRESET in an os.SyscallError", err)
	}
}

// Other connections (TLS, unix sockets) are left as they are.
func TestWrapInlineLeavesOtherConnectionsAlone(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := wrapInline(a); got != a {
		t.Fatalf("wrapInline(pipe) = %T", got)
	}
}

// The proxy's hot path allocates nothing per request; neither may its
// socket I/O.
func TestInlineConnReadAndWriteDoNotAllocate(t *testing.T) {
	server, client := inlinePair(t)
	msg, buf := []byte("ping"), make([]byte, 16)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := client.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(server, buf[:len(msg)]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per write + read, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(200, func() {
		// What fasthttp sets for a request: the idle and header deadlines
		// on a client connection, write and read on an upstream one.
		_ = client.SetReadDeadline(time.Now().Add(75 * time.Second))
		_ = client.SetReadDeadline(time.Now().Add(time.Minute))
		_ = client.SetWriteDeadline(time.Now().Add(time.Minute))
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per request's deadline sets, want 0", allocs)
	}
}

func TestLazyDeadlineArmsLateByAFraction(t *testing.T) {
	var d lazyDeadline
	now := time.Now()
	const timeout = 64 * time.Second
	keep, arm := d.next(now.Add(timeout))
	if keep {
		t.Fatal("the first deadline must be armed")
	}
	if late := arm.Sub(now.Add(timeout)); late < 0 || late > time.Second+time.Millisecond || late < 900*time.Millisecond {
		t.Fatalf("armed %v after the asked deadline; want ~1/32 of 64 s, capped at 1 s", late)
	}
	// Later requests ask for later deadlines: the armed one stands, also
	// when it is now earlier than asked (up to half the timeout):
	// firing early is caught by expired.
	for _, step := range []time.Duration{time.Microsecond, 900 * time.Millisecond, 2 * time.Second, 30 * time.Second} {
		if keep, _ := d.next(now.Add(timeout + step)); !keep {
			t.Fatalf("a deadline %v later was re-armed", step)
		}
	}
	// An early firing is not the caller's timeout: re-armed exactly.
	if real, arm := d.expired(now.Add(timeout + time.Second)); real || !arm.Equal(time.Unix(0, now.Add(timeout+30*time.Second).UnixNano())) {
		t.Fatalf("early firing: real=%v re-arm at %v", real, arm)
	}
	if real, _ := d.expired(now.Add(timeout + 30*time.Second)); !real {
		t.Fatal("a firing at the asked deadline is a timeout")
	}
	// Far beyond the armed deadline: re-armed.
	if keep, _ := d.next(now.Add(timeout + time.Minute)); keep {
		t.Fatal("a deadline a minute past the armed one was kept")
	}
	// Much earlier than armed (a shorter timeout): re-armed, so it cannot
	// fire more than the margin late.
	short := time.Now().Add(100 * time.Millisecond)
	keep, arm3 := d.next(short)
	if keep || arm3.Before(short) || arm3.Sub(short) > 100*time.Millisecond/32+time.Millisecond {
		t.Fatalf("a shorter timeout: keep=%v, armed %v after asked", keep, arm3.Sub(short))
	}
	// Clearing: armed → cleared once; cleared → nothing to do.
	if keep, z := d.next(time.Time{}); keep || !z.IsZero() {
		t.Fatal("clearing an armed deadline must reach the runtime")
	}
	if keep, _ := d.next(time.Time{}); !keep {
		t.Fatal("clearing twice must not reach the runtime again")
	}
}

// A client connection alternates the keep-alive idle deadline (75 s) and
// the header deadline (60 s) on every request: the runtime deadline moves
// a few times a minute, never more than the margin after the asked one.
func TestLazyDeadlineFollowsAlternatingClientTimeouts(t *testing.T) {
	var d lazyDeadline
	start := time.Now()
	arms := 0
	for i := 0; i < 20000; i++ { // 20 s of requests, one a millisecond
		now := start.Add(time.Duration(i) * time.Millisecond)
		timeout := 75 * time.Second
		if i%2 == 1 {
			timeout = 60 * time.Second
		}
		want := now.Add(timeout)
		if keep, _ := d.next(want); !keep {
			arms++
		}
		if over := d.armed - want.UnixNano(); over > int64(time.Second) {
			t.Fatalf("request %d: armed %v after the asked deadline", i, time.Duration(over))
		}
	}
	if arms > 4 {
		t.Fatalf("the runtime deadline moved %d times in 20 s of requests", arms)
	}
}

// A deadline armed earlier than the one asked for fires early inside the
// runtime; the caller sees its own deadline, not the early one.
func TestInlineConnEarlyArmedDeadlineIsNotReported(t *testing.T) {
	server, _ := inlinePair(t)
	start := time.Now()
	if err := server.SetReadDeadline(start.Add(400 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	// Later, within half the armed timeout: kept, so the runtime
	// fires at ~412 ms and Read must re-arm for 480 ms.
	if err := server.SetReadDeadline(start.Add(480 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if ic := server.(*inlineConn); ic.rd.armed >= start.Add(480*time.Millisecond).UnixNano() {
		t.Fatal("the test needs the armed deadline to be the earlier one")
	}
	_, err := server.Read(make([]byte, 8))
	waited := time.Since(start)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	if waited < 480*time.Millisecond || waited > 480*time.Millisecond+300*time.Millisecond {
		t.Fatalf("timed out after %v for a 480 ms deadline", waited)
	}
}

// A cleared deadline no longer fires, whatever was armed before.
func TestInlineConnClearedDeadlineDoesNotFire(t *testing.T) {
	server, client := inlinePair(t)
	if err := server.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := server.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = client.Write([]byte("late"))
	}()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(server, buf); err != nil || string(buf) != "late" {
		t.Fatalf("read after clearing: %q, %v", buf, err)
	}
}

// An upstream connection's read deadline still fires, at most a 1/32 late.
func TestUpstreamConnReadTimeoutStillFires(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(2 * time.Second)
		}
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := wrapInline(raw)
	defer c.Close()
	start := time.Now()
	for i := 0; i < 3; i++ { // as fasthttp does before every request
		if err := c.SetReadDeadline(time.Now().Add(320 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.Read(make([]byte, 8))
	waited := time.Since(start)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	if waited < 320*time.Millisecond || waited > 320*time.Millisecond+320*time.Millisecond/32+200*time.Millisecond {
		t.Fatalf("timed out after %v for a 320 ms timeout", waited)
	}
}
