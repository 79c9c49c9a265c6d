package plugin

import "net"

// Connection facts of a request, as nginx exposes them in $server_addr,
// $connection and $connection_requests (correlation-id's "tracker"
// generator formats them).

// ServerIP returns the local address the client connection was accepted
// on ($server_addr), e.g. "10.0.0.5".
func (c *Context) ServerIP() string {
	if a, ok := c.fc.LocalAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.fc.LocalAddr().String())
	if err != nil {
		return c.fc.LocalAddr().String()
	}
	return host
}

// ConnectionID returns the serial number of the client connection
// ($connection).
func (c *Context) ConnectionID() uint64 { return c.fc.ConnID() }

// ConnectionRequests returns the number of requests made on the client
// connection so far, this one included ($connection_requests).
func (c *Context) ConnectionRequests() uint64 { return c.fc.ConnRequestNum() }
