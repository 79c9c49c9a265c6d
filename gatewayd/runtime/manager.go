package runtime

import (
	"context"
	"fmt"
	"log/slog"
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
}

// NewManager creates a manager; call Load before serving traffic.
func NewManager(st store.Store, log *slog.Logger) *Manager {
	return &Manager{store: st, log: log, Debounce: 2 * time.Millisecond, PollInterval: time.Second}
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
			m.coalesce(ctx, ch)
			m.reload(ctx)
		case <-ticker.C:
			rev, err := m.store.Revision(ctx)
			if err == nil && rev != m.Current().Revision {
				m.reload(ctx)
			}
		}
	}
}

// coalesce waits briefly for further notifications so a burst of writes
// (a declarative sync) costs one rebuild.
func (m *Manager) coalesce(ctx context.Context, ch <-chan struct{}) {
	timer := time.NewTimer(m.Debounce)
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
	if err := m.Load(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("configuration rebuild failed; keeping the previous snapshot", "err", err)
	}
}
