package router

import "bytes"

// search is the state of one Match call. It lives on the stack.
type search struct {
	req  *Request
	path []byte
	port int // request port: from the Host header, else the listener's

	best       uint64 // key of the best candidate so far, noMatch if none
	winner     *entry
	matchedLen int
}

// maxNodeStack bounds how many radix-tree nodes along the request path are
// remembered so they can be visited deepest (longest plain path) first.
const maxNodeStack = 32

// maxIndexedValues bounds how many values of the indexing header are looked
// up one by one; requests repeating the header more often scan the list.
const maxIndexedValues = 8

// maxIndexedValueLen sizes the stack buffer used to lower-case a header value
// before looking it up.
const maxIndexedValueLen = 128

// bucket visits every candidate of b.
func (s *search) bucket(b *bucket) {
	if b == nil || b.min >= s.best {
		return
	}
	s.list(&b.pathless)
	s.walk(&b.root)
}

// walk follows the request path down the radix tree and visits the lists of
// the nodes it passes, deepest first: longer plain paths rank higher, so the
// best candidates come first and prune the rest.
func (s *search) walk(root *node) {
	var stack [maxNodeStack]*node
	top := 0
	n, pos := root, 0
	for {
		if n.list.min < s.best {
			if top < len(stack) {
				stack[top] = n
				top++
			} else {
				s.list(&n.list) // unusually deep: visit in place
			}
		}
		if pos >= len(s.path) {
			break
		}
		i := bytes.IndexByte(n.first, s.path[pos])
		if i < 0 {
			break
		}
		child := n.children[i]
		if !hasPrefixString(s.path[pos:], child.label) {
			break
		}
		pos += len(child.label)
		n = child
	}
	for top > 0 {
		top--
		s.list(&stack[top].list)
	}
}

// list visits the candidates of l: the unindexed items, then the items
// indexed under the request's values of the indexing header.
func (s *search) list(l *itemList) {
	if l.min >= s.best {
		return
	}
	s.items(l.items)
	if l.header == "" || s.req.Headers == nil {
		return
	}
	var values [maxIndexedValues][]byte
	n, ok := headerValues(s.req.Headers, l.header, values[:])
	if !ok {
		s.items(l.indexed)
		return
	}
	for _, v := range values[:n] {
		if !s.lookup(l, v) {
			s.items(l.indexed)
			return
		}
	}
}

// lookup visits the items indexed under the lower-cased value v. It reports
// false when v is too long to be lowered on the stack.
func (s *search) lookup(l *itemList, v []byte) bool {
	if !hasUpperASCII(v) {
		s.items(l.byValue[string(v)])
		return true
	}
	if len(v) > maxIndexedValueLen {
		return false
	}
	var buf [maxIndexedValueLen]byte
	s.items(l.byValue[string(lowerASCII(buf[:0], v))])
	return true
}

// items visits a key-sorted item slice, skipping items that cannot beat the
// current best and stopping at the first item of a worse priority class.
func (s *search) items(items []item) {
	for i := range items {
		it := &items[i]
		if it.optimistic >= s.best {
			if it.key>>classShift > s.best>>classShift {
				return
			}
			continue
		}
		s.try(it)
	}
}

// try checks every attribute of one candidate, cheapest first, and records
// it when it matches.
func (s *search) try(it *item) {
	key := it.key
	switch {
	case len(it.ports) > 0 && containsInt(it.ports, s.port):
		key &^= portBit
	case !it.anyPort:
		return
	}
	if key >= s.best {
		return
	}
	e := it.e
	if !e.matchMethod(s.req.Method) || !e.matchSNI(s.req) || !e.matchHeaders(s.req.Headers) {
		return
	}
	matched := 0
	switch {
	case e.re != nil:
		end, ok := e.re.matchEnd(s.path)
		if !ok {
			return
		}
		matched = end
	case e.path != "":
		matched = e.plainLen // the tree walk already checked the prefix
	}
	s.best, s.winner, s.matchedLen = key, e, matched
}

func (e *entry) matchMethod(method []byte) bool {
	if len(e.methods) == 0 {
		return true
	}
	for _, m := range e.methods {
		if string(method) == m {
			return true
		}
	}
	return false
}

// matchSNI only applies to TLS requests, as in Kong's ATC router
// (`net.protocol != "https" || tls.sni == ...`).
func (e *entry) matchSNI(req *Request) bool {
	if len(e.snis) == 0 || req.Scheme != "https" {
		return true
	}
	for _, sni := range e.snis {
		if equalFoldASCII(req.SNI, sni) {
			return true
		}
	}
	return false
}

func (e *entry) matchHeaders(h Headers) bool {
	if len(e.headers) == 0 {
		return true
	}
	if h == nil {
		return false
	}
	for i := range e.headers {
		if !e.headers[i].match(h) {
			return false
		}
	}
	return true
}

// match reports whether any value of the header satisfies the matcher.
func (m *headerMatcher) match(h Headers) bool {
	if mh, ok := h.(MultiHeaders); ok {
		for _, v := range mh.PeekAll(m.name) {
			if m.matchValue(v) {
				return true
			}
		}
		return false
	}
	v := h.Peek(m.name)
	return len(v) > 0 && m.matchValue(v)
}

func (m *headerMatcher) matchValue(v []byte) bool {
	for _, want := range m.values {
		if equalFoldASCII(v, want) {
			return true
		}
	}
	for _, re := range m.regexes {
		if re.Match(v) {
			return true
		}
	}
	return false
}

// headerValues copies the values of header name into dst, because a later
// PeekAll (while matching candidates) may reuse the implementation's slice.
// It reports false when the request carries more values than dst holds.
func headerValues(h Headers, name string, dst [][]byte) (int, bool) {
	mh, ok := h.(MultiHeaders)
	if !ok {
		v := h.Peek(name)
		if len(v) == 0 {
			return 0, true
		}
		dst[0] = v
		return 1, true
	}
	all := mh.PeekAll(name)
	if len(all) > len(dst) {
		return 0, false
	}
	return copy(dst, all), true
}

func hasPrefixString(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

func hasUpperASCII(b []byte) bool {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
