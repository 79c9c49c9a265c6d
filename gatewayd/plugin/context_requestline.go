package plugin

// Request-line accessors, for plugins that sign or verify the request line
// as the client sent it (hmac-auth's "request-line" and "@request-target").

// RawRequestURI returns the request target exactly as the client sent it:
// path and query, neither normalized nor decoded (Kong's
// kong.request.get_path_with_query, nginx's $request_uri). Path returns the
// normalized path instead.
func (c *Context) RawRequestURI() []byte { return c.rawURI }

// RequestProtocol returns the protocol of the request line, e.g.
// "HTTP/1.1".
func (c *Context) RequestProtocol() []byte { return c.fc.Request.Header.Protocol() }
