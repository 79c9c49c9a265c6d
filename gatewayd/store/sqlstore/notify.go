package sqlstore

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Subscribe returns a channel that receives a value after writes commit, on
// this node or another one sharing the database. Notifications coalesce: a
// receiver that falls behind gets one value for many commits, so it should
// re-read state rather than count. The channel is closed by cancel or by
// Close.
func (s *Store) Subscribe() (<-chan struct{}, func()) { return s.hub.subscribe() }

// hub fans notifications out to subscribers without ever blocking a writer.
type hub struct {
	mu     sync.Mutex
	subs   map[chan struct{}]struct{}
	closed bool
}

func (h *hub) init() { h.subs = map[chan struct{}]struct{}{} }

func (h *hub) subscribe() (<-chan struct{}, func()) {
	// Capacity 1 is what makes notifications coalesce: a pending value
	// already tells the receiver everything.
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	h.subs[ch] = struct{}{}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if _, ok := h.subs[ch]; ok {
				delete(h.subs, ch)
				close(ch)
			}
		})
	}
}

func (h *hub) broadcast() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default: // already pending
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// observe notes that revision rev has committed and wakes subscribers if it
// is news. Notifications can arrive out of order (our own commit before
// another node's NOTIFY); an older revision is already reflected in what a
// woken subscriber reads.
func (s *Store) observe(rev int64) {
	for {
		cur := s.lastRev.Load()
		if rev <= cur {
			return
		}
		if s.lastRev.CompareAndSwap(cur, rev) {
			s.hub.broadcast()
			return
		}
	}
}

// syncRevision takes a freshly read revision as the truth. Unlike observe
// it also reacts to a revision going backwards (a database restored or
// re-created under us); at worst a race with a local commit costs one
// spurious wake-up, which subscribers tolerate.
func (s *Store) syncRevision(rev int64) {
	if s.lastRev.Swap(rev) != rev {
		s.hub.broadcast()
	}
}

// poll reads the revision periodically: the fallback that notices other
// processes' writes when a notification was lost (or, for SQLite, when
// there is no notification mechanism at all).
func (s *Store) poll(ctx context.Context, every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		qctx, cancel := context.WithTimeout(ctx, max(every, 5*time.Second))
		rev, err := s.Revision(qctx)
		cancel()
		if err == nil {
			s.syncRevision(rev)
		}
		// Errors are not fatal here: the database may come back, and
		// writers and readers report unavailability themselves.
	}
}

// listen follows the PostgreSQL notification channel on a dedicated
// connection, reconnecting with backoff until ctx ends.
func (s *Store) listen(ctx context.Context) {
	defer s.wg.Done()
	const maxBackoff = 5 * time.Second
	backoff := 100 * time.Millisecond
	for {
		connected := s.listenOnce(ctx)
		if connected {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce listens until the connection fails or ctx ends, and reports
// whether it got as far as listening.
func (s *Store) listenOnce(ctx context.Context) bool {
	conn, err := pgx.ConnectConfig(ctx, s.db.pgConfig.Copy())
	if err != nil {
		return false
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false
	}
	// Anything committed while we were not listening was announced to
	// nobody; the revision tells.
	if rev, err := s.Revision(ctx); err == nil {
		s.syncRevision(rev)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		if rev, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			s.observe(rev)
		} else {
			s.hub.broadcast()
		}
	}
}
