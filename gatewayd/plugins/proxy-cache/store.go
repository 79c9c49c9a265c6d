package proxycache

import (
	"container/list"
	"sync"
	"time"
)

// storeCapacity bounds one dictionary, like the size of Kong's
// kong_db_cache shared dict (mem_cache_size, 128m by default). When full,
// the least recently used entries are evicted, as nginx does for shared
// dicts.
const storeCapacity = 128 << 20

// entryOverhead approximates the bookkeeping bytes of one entry.
const entryOverhead = 160

// header is one stored response header. first marks the first value of
// its name: it replaces headers of that name set earlier (Kong's
// kong.response.exit with a headers table); later values are added.
type header struct {
	name, value string
	first       bool
}

// entry is one cached response, immutable once stored.
type entry struct {
	key         string
	status      int
	contentType string
	headers     []header
	body        []byte
	// timestamp is when the entry was stored, in Unix seconds (ngx.time).
	timestamp int64
	// ttl is the resource TTL in seconds: cache_ttl, or the Cache-Control
	// lifetime when cache_control is on.
	ttl float64
	// expires is when the store forgets the entry (storage TTL); zero
	// never.
	expires time.Time
	size    int
}

// store is a memory strategy dictionary: entries by cache key with
// expiry and LRU eviction under a byte budget. One store is kept per
// dictionary name and shared by every instance naming it.
type store struct {
	mu       sync.Mutex
	items    map[string]*list.Element
	lru      list.List // front = most recently used
	used     int
	capacity int
}

func newStore(capacity int) *store {
	s := &store{items: map[string]*list.Element{}, capacity: capacity}
	s.lru.Init()
	return s
}

// fetch returns the live entry stored under key, or nil.
func (s *store) fetch(key string, now time.Time) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.items[key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !e.expires.IsZero() && !now.Before(e.expires) {
		s.remove(el)
		return nil
	}
	s.lru.MoveToFront(el)
	return e
}

// set stores e, replacing any entry under its key and evicting least
// recently used entries until it fits. An entry larger than the whole
// store is not kept (nginx's "no memory").
func (s *store) set(e *entry) bool {
	e.size = entryOverhead + len(e.key) + len(e.body) + len(e.contentType)
	for _, h := range e.headers {
		e.size += len(h.name) + len(h.value) + 16
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[e.key]; ok {
		s.remove(el)
	}
	if e.size > s.capacity {
		return false
	}
	for s.used+e.size > s.capacity {
		s.remove(s.lru.Back())
	}
	s.items[e.key] = s.lru.PushFront(e)
	s.used += e.size
	return true
}

// purge removes the entry under key.
func (s *store) purge(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		s.remove(el)
	}
}

// len reports the number of entries (expired ones included until touched).
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

func (s *store) remove(el *list.Element) {
	e := s.lru.Remove(el).(*entry)
	delete(s.items, e.key)
	s.used -= e.size
}
