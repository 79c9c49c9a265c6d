package httplog

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Kong's queue constants (kong/tools/queue.lua).
const (
	// capacityWarning is the fill ratio above which a warning is logged.
	capacityWarning = 0.8
	// coalescePoll caps one wait for more entries.
	coalescePoll = time.Second
	// coalesceMin: with less coalescing budget left, send at once.
	coalesceMin = 50 * time.Millisecond
	// closeWait bounds how long Close waits for queued entries to be sent;
	// past it, pending retries are abandoned.
	closeWait = 5 * time.Second
	// warnEvery rate-limits repeated queue warnings.
	warnEvery = 10 * time.Second
)

// queueConfig is a queue's parameters (the plugin's queue record, with
// the deprecated queue_size and flush_timeout folded in).
type queueConfig struct {
	maxBatchSize       int
	maxCoalescingDelay time.Duration
	maxEntries         int
	maxBytes           int // 0: unlimited
	maxRetryTime       time.Duration
	initialRetryDelay  time.Duration
	maxRetryDelay      time.Duration
	// unlimited is concurrency_limit = -1: every entry is handled at once
	// by its own goroutine, without queueing.
	unlimited bool
}

// handler sends one batch; a nil error means it was processed.
type handler func(ctx context.Context, batch [][]byte) error

// queue is Kong's retrying batch queue (kong/tools/queue.lua): entries
// wait in FIFO order; one worker takes up to max_batch_size of them
// (waiting up to max_coalescing_delay for the batch to fill), hands them
// to the handler, and retries a failed batch with exponential backoff
// until max_retry_time has passed. When full, the oldest entries are
// dropped. It is kept in the plugin Host; Close sends what is queued and
// stops, and later entries are dropped silently.
type queue struct {
	name    string
	cfg     queueConfig
	handle  handler
	log     *slog.Logger
	closed  atomic.Bool
	closing chan struct{}
	abort   chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	stopped chan struct{}
	wake    chan struct{}
	workers sync.WaitGroup
	// onClose, when set, runs once the queue has stopped (the sender
	// drops its idle connections).
	onClose func()

	mu             sync.Mutex
	entries        [][]byte // entries[0] is the oldest
	bytes          int
	warned         bool
	alreadyDropped bool
	lastWarn       time.Time
}

func newQueue(name string, cfg queueConfig, h handler, log *slog.Logger) *queue {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &queue{name: name, cfg: cfg, handle: h, log: log.With("queue", name),
		closing: make(chan struct{}), abort: make(chan struct{}), ctx: ctx, cancel: cancel,
		stopped: make(chan struct{}), wake: make(chan struct{}, 1)}
	if cfg.unlimited {
		close(q.stopped)
	} else {
		go q.run()
	}
	return q
}

// count is the number of queued entries.
func (q *queue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.entries)
}

// enqueue adds one entry; false when it was not accepted (queue closed,
// or larger than max_bytes).
func (q *queue) enqueue(entry []byte) bool {
	if q.closed.Load() {
		return false
	}
	if q.cfg.unlimited {
		// Under the lock, so no worker starts once Close waits for them.
		q.mu.Lock()
		if q.closed.Load() {
			q.mu.Unlock()
			return false
		}
		q.workers.Add(1)
		q.mu.Unlock()
		go func() {
			defer q.workers.Done()
			q.process([][]byte{entry})
		}()
		return true
	}
	q.mu.Lock()
	n := len(q.entries)
	if float64(n) >= float64(q.cfg.maxEntries)*capacityWarning {
		if !q.warned {
			q.warnLocked("queue at 80% capacity")
			q.warned = true
		}
	} else {
		q.warned = false
	}
	if n >= q.cfg.maxEntries {
		q.warnLocked("queue full, dropping old entries until processing is successful again")
		q.dropOldestLocked()
		q.alreadyDropped = true
	}
	if q.cfg.maxBytes > 0 {
		if len(entry) > q.cfg.maxBytes {
			q.mu.Unlock()
			q.log.Error("string to be queued is longer than the queue's max_bytes",
				"bytes", len(entry), "max_bytes", q.cfg.maxBytes)
			return false
		}
		dropped := 0
		for len(q.entries) > 0 && q.bytes+len(entry) > q.cfg.maxBytes {
			q.dropOldestLocked()
			dropped++
		}
		if dropped > 0 {
			q.alreadyDropped = true
			q.warnLocked("byte capacity exceeded, queue entries were dropped", "dropped", dropped)
		}
	}
	q.entries = append(q.entries, entry)
	q.bytes += len(entry)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *queue) dropOldestLocked() {
	q.bytes -= len(q.entries[0])
	q.entries[0] = nil
	q.entries = q.entries[1:]
}

func (q *queue) warnLocked(msg string, args ...any) {
	now := time.Now()
	if now.Sub(q.lastWarn) < warnEvery {
		return
	}
	q.lastWarn = now
	q.log.Warn(msg, args...)
}

// Close sends what is queued and stops the worker, waiting at most
// closeWait; past it, retries are abandoned and in-flight requests
// cancelled.
func (q *queue) Close() error {
	q.mu.Lock()
	already := q.closed.Swap(true)
	q.mu.Unlock()
	if already {
		return nil
	}
	close(q.closing)
	done := make(chan struct{})
	go func() {
		<-q.stopped
		q.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
		close(q.abort)
		q.cancel()
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		if n := q.count(); n > 0 {
			q.log.Error("queue closed before its entries could be sent; entries were lost", "lost", n)
		}
	}
	q.cancel()
	if q.onClose != nil {
		q.onClose()
	}
	return nil
}

func (q *queue) isClosing() bool {
	select {
	case <-q.closing:
		return true
	default:
		return false
	}
}

// run is the worker: Kong's process_once in a loop.
func (q *queue) run() {
	defer close(q.stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		// Wait for a first entry.
		for q.count() == 0 {
			select {
			case <-q.wake:
			case <-q.closing:
				if q.count() == 0 {
					return
				}
			case <-q.abort:
				return
			}
		}
		// Coalesce up to max_batch_size entries within the delay; on
		// shutdown, send at once.
		started := time.Now()
		for q.count() < q.cfg.maxBatchSize && !q.isClosing() {
			remaining := q.cfg.maxCoalescingDelay - time.Since(started)
			if remaining < coalesceMin {
				break
			}
			// Since Go 1.23, Stop and Reset discard a pending expiry: no
			// draining needed.
			timer.Reset(min(remaining, coalescePoll))
			select {
			case <-q.wake:
				timer.Stop()
			case <-q.closing:
				timer.Stop()
			case <-timer.C:
			}
		}
		q.mu.Lock()
		n := min(len(q.entries), q.cfg.maxBatchSize)
		batch := make([][]byte, n)
		copy(batch, q.entries[:n])
		for i := 0; i < n; i++ {
			q.bytes -= len(q.entries[i])
			q.entries[i] = nil
		}
		q.entries = q.entries[n:]
		if len(q.entries) == 0 {
			q.entries = nil // let the backing array go
		}
		resumed := q.alreadyDropped
		q.alreadyDropped = false
		q.mu.Unlock()
		if resumed {
			q.log.Info("queue resumed processing")
		}
		if n > 0 {
			q.process(batch)
		}
		select {
		case <-q.abort:
			return
		default:
		}
	}
}

// process hands a batch to the handler, retrying a failure after
// initial_retry_delay * 2^n (capped by max_retry_delay) until
// max_retry_time has passed.
func (q *queue) process(batch [][]byte) {
	start := time.Now()
	for retry := 0; ; retry++ {
		err := q.handle(q.ctx, batch)
		if err == nil {
			return
		}
		q.log.Warn("handler could not process entries", "error", err)
		if time.Since(start) > q.cfg.maxRetryTime {
			q.log.Error("could not send entries due to max_retry_time exceeded, queue entries were lost", "lost", len(batch))
			return
		}
		delay := time.Duration(math.Min(float64(q.cfg.maxRetryDelay), math.Pow(2, float64(retry))*float64(q.cfg.initialRetryDelay)))
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-q.abort:
			t.Stop()
			q.log.Error("queue closed while retrying, queue entries were lost", "lost", len(batch))
			return
		}
	}
}
