package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// runMemory loads memoryN services, routes, consumers and key-auth
// credentials (plus global key-auth and rate-limiting, so the key index is
// built) into one gatewayd through the Admin API and reports its RSS idle
// and under load, in the memory section of results.md.
func (b *bench) runMemory(ctx context.Context) error {
	n := b.cfg.memoryN
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	up, err := b.startNginx("upstream-memory", "nginx-upstream.conf", ports[0], 0, 1, "")
	if err != nil {
		return err
	}
	direct := &contender{Port: ports[0]}
	if err := waitOK(ctx, up, direct.URL(), 15*time.Second); err != nil {
		return err
	}
	g, err := b.startGatewayd(ctx, "gatewayd-memory", "", b.gatewaydBin, false, nil)
	if err != nil {
		return err
	}
	pid := g.proc.Pid()
	empty := rssKB(pid)
	fmt.Fprintf(b.log, "memory: gatewayd started, RSS %s; loading %d services, routes, consumers and credentials\n", mb(empty), n)
	c, err := api.New(api.Config{AdminURL: g.adminURL, Timeout: 60 * time.Second, Retries: 2,
		HTTPClient: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: adminWorkers}}})
	if err != nil {
		return err
	}
	start := time.Now()
	if err := loadScale(ctx, c, n, fmt.Sprintf("http://127.0.0.1:%d", ports[0]), true); err != nil {
		return err
	}
	gw := &contender{Port: g.proxyPort}
	if err := waitOK(ctx, g.proc, gw.URL(), 5*time.Minute); err != nil {
		return err
	}
	loadTime := time.Since(start)
	fmt.Fprintf(b.log, "memory: loaded in %v; settling\n", loadTime.Round(time.Second))
	if err := sleepCtx(ctx, 5*time.Second); err != nil {
		return err
	}

	// Admin write to proxy-live with the full configuration in place, once
	// the loading's rebuilds are over (an isolated write).
	svc, err := c.Create(ctx, "services", api.Entity{"name": "live-check", "url": fmt.Sprintf("http://127.0.0.1:%d", ports[0])})
	if err != nil {
		return err
	}
	if _, err := c.Create(ctx, "routes", api.Entity{"name": "live-check", "paths": []any{"/live-check"},
		"service": map[string]any{"id": svc["id"]}}); err != nil {
		return err
	}
	acked := time.Now()
	liveURL := fmt.Sprintf("http://127.0.0.1:%d/live-check", g.proxyPort)
	var live time.Duration
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := acked.Add(30 * time.Second); ; {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, liveURL, nil)
		req.Header.Set("apikey", benchKey)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				live = time.Since(acked)
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the live-check route never answered 200")
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Fprintf(b.log, "memory: admin write to live route %v; settling\n", live.Round(time.Millisecond))
	if err := sleepCtx(ctx, 15*time.Second); err != nil {
		return err
	}
	idle := rssKB(pid)
	fmt.Fprintf(b.log, "memory: idle RSS %s; measuring under load\n", mb(idle))
	peak, w, err := b.rssUnderLoad(ctx, pid, gw.URL())
	if err != nil {
		return err
	}
	fmt.Fprintf(b.log, "memory: under load RSS peak %s (%.0f req/s)\n", mb(peak), w.RPS())

	// A log-phase plugin makes the snapshot keep the route, service and
	// consumer documents for its serializer: the same measurement with
	// prometheus (global) added.
	if _, err := c.Create(ctx, "plugins", api.Entity{"name": "prometheus"}); err != nil {
		return err
	}
	if err := sleepCtx(ctx, 20*time.Second); err != nil {
		return err
	}
	idleLog := rssKB(pid)
	peakLog, wLog, err := b.rssUnderLoad(ctx, pid, gw.URL())
	if err != nil {
		return err
	}
	hwm := hwmKB(pid)
	fmt.Fprintf(b.log, "memory: with prometheus: idle RSS %s, under load %s (%.0f req/s); VmHWM %s\n", mb(idleLog), mb(peakLog), wLog.RPS(), mb(hwm))

	var sec bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&sec, format, a...) }
	p("%s\n", memoryBegin)
	p("Measured %s with `go run ./acctest/bench -memory` (`make bench-memory`); load average %s at the end. "+
		"One gatewayd (SQLite store, default settings, not pinned) loaded through the Admin API (gatewayd/api, %d writers) with "+
		"**%d services, %d routes** (prefix, regex, host and header routes), **%d consumers with one key-auth credential each**, "+
		"and global key-auth + rate-limiting (so the key index and the plugin plans are built). Target: ≤ 150 MB.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), loadAvg(), adminWorkers, n, n, n)
	p("| what | value |\n|---|---:|\n")
	p("| RSS before loading (empty configuration) | %s |\n", mb(empty))
	p("| **RSS idle, configuration loaded** (15 s after the last write) | **%s** |\n", mb(idle))
	p("| **RSS under load** (peak, wrk -t1 -c%d, 10 s, %.0f req/s through key-auth + rate-limiting) | **%s** |\n", b.cfg.conns, w.RPS(), mb(peak))
	p("| RSS idle / under load with a log-phase plugin added (global prometheus: the snapshot then keeps the route, service and consumer documents for log serializers) | %s / %s |\n", mb(idleLog), mb(peakLog))
	p("| VmHWM (peak RSS of the whole run: while loading, each rebuild holds the old snapshot, the new one and every document read) | %s |\n", mb(hwm))
	p("| loading %d entities through the Admin API | %v |\n", 4*n, loadTime.Round(100*time.Millisecond))
	p("| admin 201 → new route answering through the proxy, with this configuration loaded (one isolated write) | %v |\n", live.Round(time.Millisecond))
	met := "met"
	if idle > 150*1024 || peak > 150*1024 || idleLog > 150*1024 || peakLog > 150*1024 {
		met = "**missed**"
	}
	p("\nTarget ≤ 150 MB: %s.\n%s", met, memoryEnd)

	path := filepath.Join(b.root, "bench", "results.md")
	if b.cfg.out != "" {
		path = filepath.Join(b.cfg.out, "results.md")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	var text string
	switch {
	case err == nil && strings.Contains(string(old), memoryBegin):
		cur, _ := section(string(old), memoryBegin, memoryEnd)
		text = strings.Replace(string(old), cur, sec.String(), 1)
	case err == nil:
		text = string(old) + "\n## Memory\n\n" + sec.String() + "\n"
	default:
		text = "# gatewayd benchmark results\n\n## Memory\n\n" + sec.String() + "\n"
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(b.log, "memory: wrote the memory section of %s\n", path)
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// rssUnderLoad runs wrk (10 s, not pinned) against url and returns the
// peak VmRSS of pid sampled meanwhile.
func (b *bench) rssUnderLoad(ctx context.Context, pid int, url string) (int64, wrkResult, error) {
	stop := samplePeakRSS(pid)
	w, err := b.runWrk(ctx, url, 10*time.Second, b.cfg.conns, "")
	return stop(), w, err
}

// samplePeakRSS samples pid's VmRSS every 500 ms until the returned stop
// is called, which returns the highest value seen.
func samplePeakRSS(pid int) (stop func() int64) {
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var mx int64
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				peak <- mx
				return
			case <-t.C:
				mx = max(mx, rssKB(pid))
			}
		}
	}()
	return func() int64 { close(done); return <-peak }
}
