package mapr

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// pidScript is the fixed wrapper every remote command runs under: it reports
// its PID on stderr, then execs the real argv ("$@") in place, so that PID is
// the command's. The script holds no caller values; they arrive as
// positional parameters and are never parsed by a shell.
const pidScript = `printf '` + pidMarker + `%s\n' "$$" >&2; exec "$@"`

const pidMarker = "gatewayd-mapr-pid:"

// pidWriter takes the wrapper's PID line off the front of stderr and passes
// everything else through.
type pidWriter struct {
	next io.Writer

	mu   sync.Mutex
	head []byte // bytes seen before the first newline, while undecided
	done bool
	pid  int
}

func newPIDWriter(next io.Writer) *pidWriter { return &pidWriter{next: next} }

func (w *pidWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.next.Write(p)
	}
	w.head = append(w.head, p...)
	nl := bytes.IndexByte(w.head, '\n')
	if nl < 0 && len(w.head) < 64 {
		return len(p), nil
	}
	w.done = true
	rest := w.head
	if nl >= 0 && bytes.HasPrefix(w.head, []byte(pidMarker)) {
		w.pid, _ = strconv.Atoi(string(w.head[len(pidMarker):nl]))
		rest = w.head[nl+1:]
	}
	w.head = nil
	if _, err := w.next.Write(rest); err != nil {
		return 0, err
	}
	return len(p), nil
}

// PID is the remote command's process id, or 0 when not (yet) reported.
func (w *pidWriter) PID() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pid
}
