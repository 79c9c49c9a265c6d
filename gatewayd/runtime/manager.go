package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// Manager keeps the current snapshot and rebuilds it after store changes.
type Manager struct {
	store store.Store
	log   *slog.Logger
	cur   atomic.Pointer[Snapshot]
	// Debounce coalesces bursts of admin writes into one rebuild.
	Debounce time.Duration
	// PollInterval re-checks the store revision in case a notification was
	// missed (another node's write on a shared database).
	PollInterval time.Duration
	// OnSwap, when set, is called after each new snapshot is installed.
	OnSwap func(*Snapshot)
	// Plugins compiles plugin chains into each snapshot.
	Plugins Plugins
	// RebuildGap scales the quiet time after a rebuild: one that took d
	// is followed by at least d*RebuildGap before the next starts. Under a
	// write storm (a declarative sync of thousands of entities) this keeps
	// rebuilds, whose cost grows with the configuration, from taking a
	// whole core away from the writes; an isolated write still goes live
	// after Debounce alone.
	RebuildGap float64
	// ReleaseAfter is how long after the last build of a large
	// configuration (releaseMinDocs documents or more) the memory the
	// builds left behind is returned to the operating system; 0 disables.
	// A build reads every document and compiles a new snapshot while the
	// old one serves, so the Go heap grows to about twice that; without a
	// release, the process would keep that peak resident until later
	// garbage collections shrink it.
	ReleaseAfter time.Duration

	lastBuild time.Duration // how long the last rebuild took
	lastEnd   time.Time     // when it finished

	relMu       sync.Mutex
	relTimer    *time.Timer
	lastRelease time.Time
}

const (
	// releaseMinDocs is the size from which a configuration's build is
	// worth a release (a few thousand routes, consumers or credentials).
	releaseMinDocs = 2000
	// releaseMinInterval bounds how often memory is released while the
	// configuration keeps changing (each release is a full collection).
	releaseMinInterval = 10 * time.Second
)

// NewManager creates a manager; call Load before serving traffic.
func NewManager(st store.Store, log *slog.Logger) *Manager {
	return &Manager{store: st, log: log, Debounce: 2 * time.Millisecond, PollInterval: time.Second, RebuildGap: 1,
		ReleaseAfter: 2 * time.Second}
}

// Current returns the snapshot in use. It is never nil after Load.
func (m *Manager) Current() *Snapshot { return m.cur.Load() }

// Load builds and installs a snapshot synchronously.
func (m *Manager) Load(ctx context.Context) error {
	docs, rev, err := m.store.ReadAll(ctx, m.Plugins.entities())
	if err != nil {
		return fmt.Errorf("reading configuration: %w", err)
	}
	start := time.Now()
	snap, problems := m.Plugins.Build(docs, rev)
	for _, p := range problems {
		m.log.Error("configuration entry skipped", "err", p)
	}
	m.cur.Store(snap)
	if m.Plugins.Host != nil && snap.hostGen > 0 {
		// State only the previous snapshot used (a removed log plugin's
		// queue) is released now that nothing new can reach it.
		m.Plugins.Host.Commit(snap.hostGen)
	}
	m.log.Debug("configuration snapshot installed", "revision", rev, "routes", snap.RouteCount,
		"build_ms", float64(time.Since(start).Microseconds())/1000)
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	if n >= releaseMinDocs {
		m.scheduleRelease()
	}
	if m.OnSwap != nil {
		m.OnSwap(snap)
	}
	return nil
}

// Run rebuilds on change notifications (and a polling fallback) until ctx
// ends. A failed rebuild keeps the previous snapshot.
func (m *Manager) Run(ctx context.Context) {
	ch, cancel := m.store.Subscribe()
	defer cancel()
	ticker := time.NewTicker(m.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			m.coalesce(ctx, ch, m.Debounce+cooldown(m.lastBuild, m.lastEnd, m.RebuildGap, time.Now()))
			m.reload(ctx)
		case <-ticker.C:
			rev, err := m.store.Revision(ctx)
			if err == nil && rev != m.Current().Revision {
				m.reload(ctx)
			}
		}
	}
}

// cooldown is how long to hold the next rebuild back so that the quiet
// time after the last one is at least lastBuild*gap (capped at 2 s).
func cooldown(lastBuild time.Duration, lastEnd time.Time, gap float64, now time.Time) time.Duration {
	want := min(time.Duration(float64(lastBuild)*gap), 2*time.Second)
	if wait := want - now.Sub(lastEnd); wait > 0 {
		return wait
	}
	return 0
}

// coalesce waits briefly for further notifications so a burst of writes
// (a declarative sync) costs one rebuild.
func (m *Manager) coalesce(ctx context.Context, ch <-chan struct{}, wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ch:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (m *Manager) reload(ctx context.Context) {
	start := time.Now()
	if err := m.Load(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("configuration rebuild failed; keeping the previous snapshot", "err", err)
	}
	m.lastEnd = time.Now()
	m.lastBuild = m.lastEnd.Sub(start)
}

// scheduleRelease returns memory to the operating system once builds have
// stopped for ReleaseAfter (and at most every releaseMinInterval): a forced
// collection then frees the previous snapshot and the documents of the
// build, and the freed pages go back at once instead of staying resident.
func (m *Manager) scheduleRelease() {
	if m.ReleaseAfter <= 0 {
		return
	}
	m.relMu.Lock()
	defer m.relMu.Unlock()
	if m.relTimer != nil {
		m.relTimer.Stop()
	}
	wait := max(m.ReleaseAfter, time.Until(m.lastRelease.Add(releaseMinInterval)))
	m.relTimer = time.AfterFunc(wait, func() {
		m.relMu.Lock()
		m.lastRelease = time.Now()
		m.relMu.Unlock()
		debug.FreeOSMemory()
	})
}
