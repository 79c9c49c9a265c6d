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
	up := wrapInlineUpstream(client.(*inlineConn).TCPConn)
	allocs = testing.AllocsPerRun(200, func() {
		_ = up.SetWriteDeadline(time.Now().Add(time.Minute))
		_ = up.SetReadDeadline(time.Now().Add(time.Minute))
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per pair of upstream deadline sets, want 0", allocs)
	}
}

func TestLazyDeadlineArmsLateByAFractionAndNeverEarly(t *testing.T) {
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
	// Later requests ask for slightly later deadlines: the armed one stands.
	for _, step := range []time.Duration{time.Microsecond, 10 * time.Millisecond, 900 * time.Millisecond} {
		if keep, _ := d.next(now.Add(timeout + step)); !keep {
			t.Fatalf("a deadline %v later was re-armed", step)
		}
	}
	// Beyond the armed deadline: re-armed, never left to fire early.
	if keep, arm2 := d.next(now.Add(timeout + 2*time.Second)); keep || !arm2.After(now.Add(timeout+2*time.Second)) {
		t.Fatalf("a deadline past the armed one: keep=%v arm=%v", keep, arm2)
	}
	// Much earlier than armed (a shorter timeout): re-armed, so it cannot fire
	// more than the margin late.
	short := now.Add(100 * time.Millisecond)
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
	c := wrapInlineUpstream(raw)
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
