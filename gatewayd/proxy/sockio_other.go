//go:build !linux

package proxy

import "net"

// Elsewhere connections keep Go's ordinary socket I/O (sockio_linux.go).
func wrapInline(c net.Conn) net.Conn { return c }

type inlineListener struct{ net.Listener }
