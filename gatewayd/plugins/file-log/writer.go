package filelog

import (
	"log/slog"
	"os"
	"sync/atomic"
	"time"
)

const (
	// queueCapacity bounds the lines waiting for the disk; when full, new
	// lines are dropped and counted.
	queueCapacity = 8192
	// maxBatch is how many queued lines one write takes at most.
	maxBatch = 512
	// closeWait bounds how long Close waits for queued lines to be written.
	closeWait = 5 * time.Second
	// fileMode is Kong's: rw-r--r--.
	fileMode = 0o644
	// warnEvery rate-limits repeated error logs.
	warnEvery = 10 * time.Second
)

type item struct {
	line   []byte
	reopen bool
}

// writer appends lines to one file from a single goroutine. It is kept in
// the plugin Host per path; Close (when no configuration uses the path any
// more, or at shutdown) writes what is queued and stops. Lines enqueued
// after Close are dropped silently.
type writer struct {
	path    string
	ch      chan item
	done    chan struct{}
	stopped chan struct{}
	closed  atomic.Bool
	dropped atomic.Uint64
	log     *slog.Logger

	// Owned by the writer goroutine.
	file     *os.File
	buf      []byte
	lastWarn time.Time
}

func newWriter(path string, capacity int, log *slog.Logger) *writer {
	if log == nil {
		log = slog.Default()
	}
	return &writer{path: path, ch: make(chan item, capacity), done: make(chan struct{}),
		stopped: make(chan struct{}), log: log.With("path", path)}
}

func (w *writer) start() { go w.run() }

// enqueue queues one line without blocking; reopen asks for the file to
// be reopened before it is written (log rotation).
func (w *writer) enqueue(line []byte, reopen bool) bool {
	if w.closed.Load() {
		return false
	}
	select {
	case w.ch <- item{line: line, reopen: reopen}:
		return true
	default:
		w.dropped.Add(1)
		return false
	}
}

// Dropped reports how many lines were dropped because the queue was full.
func (w *writer) Dropped() uint64 { return w.dropped.Load() }

// Close writes the queued lines and stops the writer. It waits at most
// closeWait.
func (w *writer) Close() error {
	if w.closed.Swap(true) {
		return nil
	}
	close(w.done)
	select {
	case <-w.stopped:
	case <-time.After(closeWait):
		w.log.Warn("file-log: closing before every queued line was written")
	}
	return nil
}

func (w *writer) run() {
	defer close(w.stopped)
	batch := make([]item, 0, maxBatch)
	var reported uint64
	for {
		select {
		case it := <-w.ch:
			batch = w.drain(append(batch[:0], it))
			w.write(batch)
		case <-w.done:
			for {
				batch = w.drain(batch[:0])
				if len(batch) == 0 {
					break
				}
				w.write(batch)
			}
			if w.file != nil {
				_ = w.file.Close()
				w.file = nil
			}
			return
		}
		if d := w.dropped.Load(); d != reported && w.mayWarn() {
			w.log.Warn("file-log: queue full, log lines dropped", "dropped", d-reported)
			reported = d
		}
	}
}

// drain adds queued lines to batch without waiting.
func (w *writer) drain(batch []item) []item {
	for len(batch) < maxBatch {
		select {
		case it := <-w.ch:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

// write appends a batch with one write call, reopening the file first
// when a line asks for it, as Kong reopens per write with reopen=true.
func (w *writer) write(batch []item) {
	reopen := false
	w.buf = w.buf[:0]
	for i := range batch {
		reopen = reopen || batch[i].reopen
		w.buf = append(w.buf, batch[i].line...)
		batch[i] = item{}
	}
	if reopen && w.file != nil {
		_ = w.file.Close()
		w.file = nil
	}
	if w.file == nil {
		f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, fileMode)
		if err != nil {
			if w.mayWarn() {
				w.log.Error("file-log: failed to open the file", "error", err)
			}
			return
		}
		w.file = f
	}
	if _, err := w.file.Write(w.buf); err != nil {
		if w.mayWarn() {
			w.log.Error("file-log: failed to write", "error", err)
		}
		_ = w.file.Close()
		w.file = nil
	}
	if cap(w.buf) > 1<<20 {
		w.buf = nil
	}
}

func (w *writer) mayWarn() bool {
	now := time.Now()
	if now.Sub(w.lastWarn) < warnEvery {
		return false
	}
	w.lastWarn = now
	return true
}
