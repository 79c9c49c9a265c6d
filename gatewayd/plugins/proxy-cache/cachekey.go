package proxycache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// maxArgs is how many query arguments and headers Kong reads for the key
// (kong.request.get_query / get_headers default limit of 100).
const maxArgs = 100

// keyBuilder holds the scratch space of one cache key computation.
type keyBuilder struct {
	buf     []byte // the string that is hashed
	query   []byte // the query string as it will be sent upstream
	decoded []byte // unescaped keys and values, indexed by args
	args    []qarg
	values  [][]byte
}

// qarg is one query argument: offsets into keyBuilder.decoded.
type qarg struct {
	k0, k1, v0, v1 int
	// flag is true for an argument without "=" (Lua's true).
	flag bool
}

var builders = sync.Pool{New: func() any { return &keyBuilder{} }}

// cacheKey computes Kong's cache key (kong/plugins/proxy-cache/
// cache_key.lua build_cache_key): the SHA-256 hex digest of
// "prefix|method|uri|params|headers" where
//   - prefix is "consumer_id:route_id", the route id, or "default";
//   - uri is nginx's $request ("GET /path?q HTTP/1.1") with everything from
//     the first "?" removed, lowercased when ignore_uri_case is set;
//   - params is "k=v" (":"-joined, keys sorted) for every query argument,
//     or only the vary_query_params ones; repeated arguments are sorted and
//     ","-joined, arguments without a value contribute their bare name;
//   - headers is the same for the vary_headers request headers, or empty.
func (p *proxyCache) cacheKey(c *plugin.Context) string {
	kb := builders.Get().(*keyBuilder)
	defer builders.Put(kb)
	b := kb.buf[:0]

	if rt := c.Route(); rt != nil {
		if cons := c.Consumer(); cons != nil {
			b = append(b, cons.ID...)
			b = append(b, ':')
		}
		b = append(b, rt.ID...)
	} else {
		b = append(b, "default"...)
	}
	b = append(b, '|')
	b = append(b, c.Method()...)
	b = append(b, '|')

	uri := c.RawRequestURI()
	lineStart := len(b)
	b = append(b, c.Method()...)
	b = append(b, ' ')
	if q := bytes.IndexByte(uri, '?'); q >= 0 {
		b = append(b, uri[:q]...)
	} else {
		b = append(b, uri...)
		b = append(b, ' ')
		b = append(b, c.RequestProtocol()...)
	}
	if p.ignoreURICase {
		lowerASCII(b[lineStart:])
	}
	b = append(b, '|')

	b = p.appendParams(b, kb, c, uri)
	b = append(b, '|')
	b = p.appendHeaders(b, kb, c)

	kb.buf = b
	sum := sha256.Sum256(b)
	var out [64]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// appendParams appends the params component from the query the upstream
// will receive (a plugin may have changed it, as get_uri_args sees).
func (p *proxyCache) appendParams(b []byte, kb *keyBuilder, c *plugin.Context, uri []byte) []byte {
	var raw []byte
	has := false
	if q := bytes.IndexByte(uri, '?'); q >= 0 {
		raw, has = uri[q+1:], true
	}
	kb.query, has = c.UpstreamQuery(kb.query[:0], raw, has)
	if !has {
		kb.query = kb.query[:0]
	}
	kb.parseQuery()
	if len(kb.args) == 0 {
		return b
	}
	if len(p.varyQuery) > 0 {
		n := 0
		for _, field := range p.varyQuery {
			if kb.collect(field) {
				if n > 0 {
					b = append(b, ':')
				}
				b = appendKV(b, field, kb.values, kb.flagOnly(field))
				n++
			}
		}
		return b
	}
	// Every argument, keys sorted.
	slices.SortStableFunc(kb.args, func(a, b qarg) int { return bytes.Compare(kb.key(a), kb.key(b)) })
	n := 0
	for i := 0; i < len(kb.args); {
		k := kb.key(kb.args[i])
		j := i
		kb.values = kb.values[:0]
		flag := true
		for ; j < len(kb.args) && bytes.Equal(kb.key(kb.args[j]), k); j++ {
			kb.values = append(kb.values, kb.value(kb.args[j]))
			flag = flag && kb.args[j].flag
		}
		if n > 0 {
			b = append(b, ':')
		}
		b = appendKVBytes(b, k, kb.values, flag && j-i == 1)
		n++
		i = j
	}
	return b
}

// appendHeaders appends the vary_headers component.
func (p *proxyCache) appendHeaders(b []byte, kb *keyBuilder, c *plugin.Context) []byte {
	n := 0
	for i, field := range p.varyHeaders {
		values := c.HeaderValues(p.varyHeaderNames[i])
		if len(values) == 0 {
			continue
		}
		kb.values = append(kb.values[:0], values...)
		if n > 0 {
			b = append(b, ':')
		}
		b = appendKV(b, field, kb.values, false)
		n++
	}
	return b
}

// appendKV appends "field=value", or "field=v1,v2" (sorted) for repeated
// values, or the bare field for an argument without value.
func appendKV(b []byte, field string, values [][]byte, flag bool) []byte {
	b = append(b, field...)
	return appendValues(b, values, flag)
}

func appendKVBytes(b, field []byte, values [][]byte, flag bool) []byte {
	b = append(b, field...)
	return appendValues(b, values, flag)
}

func appendValues(b []byte, values [][]byte, flag bool) []byte {
	if flag {
		return b
	}
	b = append(b, '=')
	if len(values) > 1 {
		slices.SortFunc(values, bytes.Compare)
	}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	return b
}

// parseQuery splits kb.query into arguments as ngx.req.get_uri_args does:
// "&"-separated, "+" and %XX unescaped, at most maxArgs, empty keys
// skipped.
func (kb *keyBuilder) parseQuery() {
	kb.args = kb.args[:0]
	kb.decoded = kb.decoded[:0]
	q := kb.query
	for len(q) > 0 && len(kb.args) < maxArgs {
		part := q
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			part, q = q[:i], q[i+1:]
		} else {
			q = nil
		}
		if len(part) == 0 {
			continue
		}
		var a qarg
		key, val := part, []byte(nil)
		if i := bytes.IndexByte(part, '='); i >= 0 {
			key, val = part[:i], part[i+1:]
		} else {
			a.flag = true
		}
		if len(key) == 0 {
			continue
		}
		a.k0 = len(kb.decoded)
		kb.decoded = unescape(kb.decoded, key)
		a.k1 = len(kb.decoded)
		a.v0 = a.k1
		kb.decoded = unescape(kb.decoded, val)
		a.v1 = len(kb.decoded)
		kb.args = append(kb.args, a)
	}
}

func (kb *keyBuilder) key(a qarg) []byte   { return kb.decoded[a.k0:a.k1] }
func (kb *keyBuilder) value(a qarg) []byte { return kb.decoded[a.v0:a.v1] }

// collect gathers the values of argument field into kb.values.
func (kb *keyBuilder) collect(field string) bool {
	kb.values = kb.values[:0]
	for _, a := range kb.args {
		if string(kb.key(a)) == field {
			kb.values = append(kb.values, kb.value(a))
		}
	}
	return len(kb.values) > 0
}

// flagOnly reports whether field appeared once, without a value.
func (kb *keyBuilder) flagOnly(field string) bool {
	n, flag := 0, false
	for _, a := range kb.args {
		if string(kb.key(a)) == field {
			n++
			flag = a.flag
		}
	}
	return n == 1 && flag
}

// unescape appends s with "+" as space and %XX decoded, as nginx's
// ngx_unescape_uri does for arguments (invalid escapes kept verbatim).
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			dst = append(dst, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}
