package router

import (
	"slices"
	"strings"
)

// maxHostLen sizes the stack buffer Match lower-cases request hosts into;
// DNS names are at most 253 bytes, longer hosts use a pooled buffer.
const maxHostLen = 256

// bucket indexes the entries reachable through one host pattern (or through
// no host at all) by path.
type bucket struct {
	pathless itemList // entries without a path
	root     node     // radix tree of plain paths and regex literal prefixes
	min      uint64   // smallest optimistic key in the bucket, for pruning
}

// node is a radix-tree node. Its full key is the concatenation of the labels
// from the root; items hold the plain-path entries whose path is exactly that
// key and the regex entries whose literal prefix is exactly that key.
type node struct {
	label    string
	list     itemList
	first    []byte // first byte of each child label, parallel to children
	children []*node
}

// item is an entry as reached through one bucket.
type item struct {
	e          *entry
	key        uint64 // e.key: the rank when matched through a port-less host
	optimistic uint64 // best key the item can reach here (port bit cleared when it has ports)
	ports      []int  // explicit ports of the route hosts that led to this bucket
	anyPort    bool   // a port-less host (or no host at all) led to this bucket
}

// itemList holds the items of a bucket position, sorted by key. Long lists
// whose items mostly share a header with literal values are split on that
// header's value, so that thousands of routes differing only by, say, a
// tenant header cost one map lookup instead of a scan.
type itemList struct {
	items   []item            // sorted; when indexed, only items the index does not cover
	header  string            // canonical name of the indexing header, "" = not indexed
	byValue map[string][]item // lower-cased literal value → sorted items
	indexed []item            // every item covered by byValue, for requests whose values cannot be looked up
	min     uint64            // smallest optimistic key, noMatch when empty
}

const (
	indexMinItems   = 16 // lists shorter than this are scanned
	indexMinCovered = 8  // and the header must cover at least this many items
)

// oddWildcard is a wildcard host whose fixed part does not start or end
// with a dot ("*example.com"); Kong's schema rejects these, but the ATC
// router would still apply them as plain suffix/prefix tests.
type oddWildcard struct {
	suffix  bool
	pattern string
	bucket  *bucket
}

func (w *oddWildcard) matches(host []byte) bool {
	if len(host) <= len(w.pattern) {
		return false // the wildcard covers at least one character
	}
	if w.suffix {
		return string(host[len(host)-len(w.pattern):]) == w.pattern
	}
	return string(host[:len(w.pattern)]) == w.pattern
}

// bucketBuilder accumulates the items of a bucket during New.
type bucketBuilder struct {
	items []item
}

// buildIndex distributes the ranked entries into host buckets and builds each
// bucket's path index.
func (r *Router) buildIndex() {
	builders := map[bucketKey]*bucketBuilder{}
	var order []bucketKey // creation order, so New is deterministic
	add := func(k bucketKey, it item) {
		b := builders[k]
		if b == nil {
			b = &bucketBuilder{}
			builders[k] = b
			order = append(order, k)
		}
		b.items = append(b.items, it)
	}

	for i := range r.entries {
		e := &r.entries[i]
		if len(e.hosts) == 0 {
			add(bucketKey{kind: kindAny}, newItem(e, nil, true))
			continue
		}
		for _, g := range groupHosts(e.hosts) {
			add(g.key, newItem(e, g.ports, g.anyPort))
		}
	}

	r.exact = map[string]*bucket{}
	r.suffix = map[string]*bucket{}
	r.prefix = map[string]*bucket{}
	for _, k := range order {
		b := builders[k].build()
		switch k.kind {
		case kindAny:
			r.any = b
		case kindExact:
			r.exact[k.name] = b
		case kindSuffix:
			if strings.HasPrefix(k.name, ".") {
				r.suffix[k.name] = b
			} else {
				r.odd = append(r.odd, oddWildcard{suffix: true, pattern: k.name, bucket: b})
			}
		case kindPrefix:
			if strings.HasSuffix(k.name, ".") {
				r.prefix[k.name] = b
			} else {
				r.odd = append(r.odd, oddWildcard{pattern: k.name, bucket: b})
			}
		}
	}
}

type bucketKind uint8

const (
	kindAny bucketKind = iota
	kindExact
	kindSuffix
	kindPrefix
)

type bucketKey struct {
	kind bucketKind
	name string
}

// hostGroup gathers the hosts of one entry that fall into the same bucket,
// e.g. "example.com" and "example.com:8080".
type hostGroup struct {
	key     bucketKey
	ports   []int
	anyPort bool
}

func groupHosts(hosts []hostPattern) []hostGroup {
	var groups []hostGroup
	for _, h := range hosts {
		k := bucketKey{kind: kindExact + bucketKind(h.kind), name: h.name}
		i := slices.IndexFunc(groups, func(g hostGroup) bool { return g.key == k })
		if i < 0 {
			groups = append(groups, hostGroup{key: k})
			i = len(groups) - 1
		}
		if h.port < 0 {
			groups[i].anyPort = true
		} else if !slices.Contains(groups[i].ports, h.port) {
			groups[i].ports = append(groups[i].ports, h.port)
		}
	}
	return groups
}

func newItem(e *entry, ports []int, anyPort bool) item {
	it := item{e: e, key: e.key, optimistic: e.key, ports: ports, anyPort: anyPort}
	if len(ports) > 0 {
		it.optimistic &^= portBit
	}
	return it
}

// build turns the accumulated items into a bucket: path-less entries in one
// list, the others in the radix tree under their plain path or regex literal
// prefix.
func (bb *bucketBuilder) build() *bucket {
	b := &bucket{}
	var pathless []item
	for _, it := range bb.items {
		switch {
		case it.e.path == "":
			pathless = append(pathless, it)
		case it.e.re != nil:
			b.root.insert(it.e.re.prefix, it)
		default:
			b.root.insert(it.e.path, it)
		}
	}
	b.pathless = newItemList(pathless)
	b.min = min(b.pathless.min, b.root.finish())
	return b
}

// insert adds it under key, splitting edges as needed.
func (n *node) insert(key string, it item) {
	for {
		if len(key) == 0 {
			n.list.items = append(n.list.items, it)
			return
		}
		i := slices.Index(n.first, key[0])
		if i < 0 {
			child := &node{label: key}
			child.list.items = []item{it}
			n.first = append(n.first, key[0])
			n.children = append(n.children, child)
			return
		}
		child := n.children[i]
		common := commonPrefixLen(child.label, key)
		if common < len(child.label) {
			// Split child: a new node takes the common part of the label.
			mid := &node{label: child.label[:common]}
			child.label = child.label[common:]
			mid.first = []byte{child.label[0]}
			mid.children = []*node{child}
			n.children[i] = mid
			child = mid
		}
		n, key = child, key[common:]
	}
}

// finish sorts every list of the subtree and returns its smallest
// optimistic key.
func (n *node) finish() uint64 {
	n.list = newItemList(n.list.items)
	m := n.list.min
	for _, c := range n.children {
		m = min(m, c.finish())
	}
	return m
}

func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// newItemList sorts items and, for long lists, indexes them by the header
// with literal values that the most items configure.
func newItemList(items []item) itemList {
	l := itemList{items: items, min: noMatch}
	sortItems(l.items)
	for _, it := range items {
		l.min = min(l.min, it.optimistic)
	}
	if len(items) < indexMinItems {
		return l
	}
	header, covered := bestIndexHeader(items)
	if covered < indexMinCovered {
		return l
	}
	l.header = header
	l.byValue = map[string][]item{}
	var rest []item
	for _, it := range items {
		m := literalMatcher(it.e, header)
		if m == nil {
			rest = append(rest, it)
			continue
		}
		l.indexed = append(l.indexed, it)
		for _, v := range m.values {
			l.byValue[v] = append(l.byValue[v], it)
		}
	}
	// rest and every byValue list inherit the sorted order of items.
	l.items = rest
	return l
}

func sortItems(items []item) {
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
}

// bestIndexHeader picks the header name that the most items match with
// literal values only (regex values cannot be looked up).
func bestIndexHeader(items []item) (string, int) {
	counts := map[string]int{}
	best, bestCount := "", 0
	for _, it := range items {
		for i := range it.e.headers {
			m := &it.e.headers[i]
			if len(m.regexes) > 0 {
				continue
			}
			counts[m.name]++
			if c := counts[m.name]; c > bestCount || (c == bestCount && m.name < best) {
				best, bestCount = m.name, c
			}
		}
	}
	return best, bestCount
}

// literalMatcher returns e's matcher for header when it has only literal
// values, nil otherwise.
func literalMatcher(e *entry, header string) *headerMatcher {
	for i := range e.headers {
		if m := &e.headers[i]; m.name == header && len(m.regexes) == 0 {
			return m
		}
	}
	return nil
}
