package ratelimiting

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"sync/atomic"
)

// identifier is what a request is counted under. IP identifiers keep the
// address itself, so counting a client by IP costs no string.
type identifier struct {
	s  string
	ip netip.Addr
}

func (id identifier) String() string {
	if id.s != "" {
		return id.s
	}
	return id.ip.String()
}

// localStore holds one plugin instance's in-memory counters (the local
// policy). It is kept across configuration snapshots through Host.Keep, so
// counters survive configuration changes of the instance, and closed when
// the instance is removed.
//
// Counters sit in sharded maps under plain mutexes: a check is a hash, a
// lock, a map lookup and a few integer operations, with no allocation once
// the identifier has been seen. Entries whose every window has expired are
// swept from a shard when it grows, so memory follows the set of
// identifiers active within the longest configured window.
type localStore struct {
	seed   maphash.Seed
	closed atomic.Bool
	shards [localShards]localShard
}

const (
	localShards = 64
	// sweepEvery is how often (seconds) a shard that grows is swept.
	sweepEvery = 30
)

type localShard struct {
	mu        sync.Mutex
	byString  map[string]*counters
	byIP      map[netip.Addr]*counters
	lastSweep int64
	_         [40]byte // keep shards on separate cache lines
}

// counters are one identifier's windows, as Kong's shared-dict keys
// "ratelimit:...:<period_date>:<period>": a window's count resets when a new
// window starts or when the counter expires, expiration[p] seconds after
// its first increment.
type counters struct {
	start   [numPeriods]int64
	count   [numPeriods]int64
	expires [numPeriods]int64
	// until is when every counter has expired.
	until int64
}

func newLocalStore() *localStore {
	s := &localStore{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].byString = map[string]*counters{}
		s.shards[i].byIP = map[netip.Addr]*counters{}
	}
	return s
}

// Close drops the counters; requests still holding the store afterwards
// are let through uncounted.
func (s *localStore) Close() error {
	s.closed.Store(true)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.byString, sh.byIP = nil, nil
		sh.mu.Unlock()
	}
	return nil
}

func (s *localStore) shard(id identifier) *localShard {
	var h uint64
	if id.s != "" {
		h = maphash.String(s.seed, id.s)
	} else {
		b := id.ip.As16()
		h = maphash.Bytes(s.seed, b[:])
	}
	return &s.shards[h%localShards]
}

// count implements Kong's local policy for one request, atomically: it
// reports each configured period's usage before this request and, unless a
// limit is already reached (Kong answers 429 without counting), counts the
// request.
func (s *localStore) count(l *limiter, id identifier, now int64, starts *[numPeriods]int64, usage *[numPeriods]int64) error {
	if s.closed.Load() {
		return errClosed
	}
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.byString == nil {
		return errClosed
	}
	c := sh.lookup(id)
	if c == nil {
		c = &counters{}
		sh.insert(id, c, now)
	}
	stop := false
	for _, p := range l.periods {
		if c.start[p] != starts[p] || now >= c.expires[p] {
			c.start[p], c.count[p], c.expires[p] = starts[p], 0, 0
		}
		usage[p] = c.count[p]
		if l.limits[p]-float64(c.count[p]) <= 0 {
			stop = true
		}
	}
	if stop {
		return nil
	}
	for _, p := range l.periods {
		if c.count[p] == 0 {
			c.expires[p] = now + expiration[p]
			if c.expires[p] > c.until {
				c.until = c.expires[p]
			}
		}
		c.count[p]++
	}
	return nil
}

func (sh *localShard) lookup(id identifier) *counters {
	if id.s != "" {
		return sh.byString[id.s]
	}
	return sh.byIP[id.ip]
}

func (sh *localShard) insert(id identifier, c *counters, now int64) {
	if now-sh.lastSweep >= sweepEvery {
		sh.lastSweep = now
		for k, v := range sh.byString {
			if now >= v.until {
				delete(sh.byString, k)
			}
		}
		for k, v := range sh.byIP {
			if now >= v.until {
				delete(sh.byIP, k)
			}
		}
	}
	if id.s != "" {
		sh.byString[id.s] = c
	} else {
		sh.byIP[id.ip] = c
	}
}

// size reports how many identifiers are held (tests).
func (s *localStore) size() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.byString) + len(sh.byIP)
		sh.mu.Unlock()
	}
	return n
}
