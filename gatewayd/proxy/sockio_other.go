//go:build !linux

package proxy

import "net"

// inlineSocketIO reports whether this platform has inline socket I/O
// (sockio_linux.go); elsewhere connections keep Go's ordinary I/O.
const inlineSocketIO = false

func wrapInline(c net.Conn) net.Conn { return c }

type inlineListener struct{ net.Listener }
