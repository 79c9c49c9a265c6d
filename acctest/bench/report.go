package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type report struct {
	Config           config
	Machine          machine
	Started          time.Time
	Finished         time.Time
	LoadBefore       string
	LoadAfter        string
	BackgroundBefore []float64
	BackgroundAfter  []float64
	Modes            []*layoutResult
	Commands         []string
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minMax(v []float64) (float64, float64) {
	if len(v) == 0 {
		return 0, 0
	}
	return slices.Min(v), slices.Max(v)
}

func collect(c *contenderResult, f func(sample) float64) []float64 {
	out := make([]float64, 0, len(c.Samples))
	for _, s := range c.Samples {
		out = append(out, f(s))
	}
	return out
}

func collectFixed(c *contenderResult, f func(fixedRateResult) float64) []float64 {
	out := make([]float64, 0, len(c.Fixed))
	for _, s := range c.Fixed {
		out = append(out, f(s))
	}
	return out
}

func medianRPS(c *contenderResult) float64 {
	return median(collect(c, func(s sample) float64 { return s.W.RPS() }))
}

// pairedRatios are a/b per repetition: both measured in the same pass of
// the interleaved order, so drift of the box cancels.
func pairedRatios(a, b *contenderResult) []float64 {
	var out []float64
	for i := range min(len(a.Samples), len(b.Samples)) {
		if d := b.Samples[i].W.RPS(); d > 0 {
			out = append(out, a.Samples[i].W.RPS()/d)
		}
	}
	return out
}

// smokeCheck fails unless every contender answered and no request failed.
func (r *report) smokeCheck(log io.Writer) error {
	var problems []string
	for _, m := range r.Modes {
		for _, c := range m.Contenders {
			for _, s := range c.Samples {
				if s.W.Requests == 0 || s.W.StatusErrors > 0 || s.W.SocketErrors > 0 {
					problems = append(problems, fmt.Sprintf("%s: wrk %d requests, %d error statuses, %d socket errors",
						c.Key, s.W.Requests, s.W.StatusErrors, s.W.SocketErrors))
				}
			}
			for _, f := range c.Fixed {
				if f.Sent == 0 || f.Errors > 0 || f.Unsent > 0 {
					problems = append(problems, fmt.Sprintf("%s: fixed rate sent %d, %d errors, %d unsent", c.Key, f.Sent, f.Errors, f.Unsent))
				}
			}
			if len(c.Samples) == 0 {
				problems = append(problems, c.Key+": not measured")
			}
			fmt.Fprintf(log, "smoke: %-16s answered 200 (%d requests)\n", c.Key, sumRequests(c))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("smoke run failed:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

func sumRequests(c *contenderResult) int64 {
	var n int64
	for _, s := range c.Samples {
		n += s.W.Requests
	}
	return n
}

const (
	memoryBegin = "<!-- memory:begin (written by go run ./acctest/bench -memory) -->"
	memoryEnd   = "<!-- memory:end -->"
)

// write renders results.md and chart.png into dir. The memory section of
// an existing results.md (written by -memory) is kept.
func (r *report) write(dir string, log io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "results.md")
	memory := memoryBegin + "\n_Not measured yet: run `make bench-memory`._\n" + memoryEnd
	if old, err := os.ReadFile(path); err == nil {
		if sec, ok := section(string(old), memoryBegin, memoryEnd); ok {
			memory = sec
		}
	}
	var b bytes.Buffer
	r.render(&b, memory)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return err
	}
	png, err := r.chart()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "chart.png"), png, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "bench: wrote %s and %s\n", path, filepath.Join(dir, "chart.png"))
	return nil
}

// section returns the text from begin to end, markers included.
func section(s, begin, end string) (string, bool) {
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		return "", false
	}
	return s[i : j+len(end)], true
}

func ms(us float64) string {
	switch {
	case us >= 10000:
		return fmt.Sprintf("%.1f ms", us/1000)
	case us >= 1000:
		return fmt.Sprintf("%.2f ms", us/1000)
	}
	return fmt.Sprintf("%.0f µs", us)
}

func mb(kb int64) string { return fmt.Sprintf("%.1f MB", float64(kb)/1024) }

func (r *report) render(w io.Writer, memory string) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	cfg := r.Config
	p("# gatewayd side-by-side benchmark\n\n")
	p("Written by `go run ./acctest/bench` (`make bench-compare`) on %s, in %s. How to run and read it: [README.md](README.md).\n",
		r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second))
	p("Method: ../shared/reference/performance.md §6. Every number below comes from this one run; the chart is [chart.png](chart.png).\n\n")
	p("![throughput and latency by contender](chart.png)\n\n")

	for _, m := range r.Modes {
		r.renderLayout(w, m)
	}
	r.renderTargets(w)

	p("## Memory\n\n%s\n\n", memory)

	p("## Machine and load\n\n")
	mc := r.Machine
	p("- CPU: %s, %d CPUs (`nproc` %s), %s thread(s) per core, hypervisor %s\n", mc.CPUModel, mc.CPUs, mc.Nproc, mc.ThreadsPerCore, orDash(mc.Hypervisor))
	p("- Kernel: %s; memory %s\n", mc.Kernel, mc.MemTotal)
	keys := make([]string, 0, len(mc.Versions))
	for k := range mc.Versions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p("- %s: `%s`\n", k, mc.Versions[k])
	}
	p("- Load average (1/5/15 min) before the run: %s; after: %s\n", r.LoadBefore, r.LoadAfter)
	p("- CPU busy while the bench was idle (other work on this shared box), 3 s before: %s; 3 s after: %s\n",
		fmtPercents(r.BackgroundBefore), fmtPercents(r.BackgroundAfter))
	p("- Per-run load averages and per-CPU busy shares are in the tables above; a valid pinned run has CPU 1 (the proxy) near 100%% and CPU 0 (wrk + upstream) below it.\n\n")

	p("## Exact commands\n\n")
	baseline := ""
	if cfg.baseline != "" {
		baseline = " -baseline " + filepath.Base(cfg.baseline)
	}
	p("```\ngo run ./acctest/bench -duration %v -warmup %v -reps %d -conns %d -latency-duration %v -latency-reps %d -latency-conns %d -latency-wait %s -rate-fraction %g -layouts %s%s\n```\n\n",
		cfg.duration, cfg.warmup, cfg.reps, cfg.conns, cfg.latDuration, cfg.latReps, cfg.latConns, cfg.latMode, cfg.rateFraction, cfg.layouts, baseline)
	if cfg.baseline != "" {
		p("`-baseline` ran %s, as the `baseline*` contenders.\n\n", cfg.baselineDesc)
	}
	p("Contenders, as started (`$RUN` is the run's temporary directory; configs are rendered from `bench/configs/`; as root, contenders run as `%s`):\n\n```\n", cfg.runAs)
	for _, c := range r.Commands {
		p("%s\n", c)
	}
	p("```\n\nwrk, per layout:\n\n```\n")
	for _, m := range r.Modes {
		p("%s\n", m.WrkCommand)
	}
	p("```\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (r *report) renderLayout(w io.Writer, m *layoutResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	cfg := r.Config
	switch m.Layout.Name {
	case "pinned":
		p("## Pinned: one core per proxy (performance.md §6)\n\n")
		p("The proxy under test runs alone on CPU %s (nginx `worker_processes 1`, HAProxy `nbthread 1`, Go contenders GOMAXPROCS 1 from the affinity mask); "+
			"wrk (`-t1 -c%d`) and the upstream (nginx, 1 worker, `return 200` with a %d-byte body) share CPU %s. ",
			m.Layout.ProxyCPUs, cfg.conns, len(upstreamBody), m.Layout.ClientCPUs)
	case "issue":
		p("## The issue's configuration: nothing pinned, 2 workers\n\n")
		p("Nothing is pinned: nginx `worker_processes 2`, HAProxy `nbthread 2`, Go contenders GOMAXPROCS 2; wrk (`-t1 -c%d`) and the upstream share the same 2 CPUs. "+
			"This is how issue 8's reference figure (a bare fasthttp proxy at 0.84 × nginx) was taken. ", cfg.conns)
	}
	p("%d measured runs of %v per contender, alternating order (reversed every other pass), each after a %v warm-up; "+
		"median with min–max. Latencies here are wrk's at saturation (queueing included); the fixed-rate table below is the one for latency. "+
		"RSS is VmRSS of the process tree, idle → peak under load; CPU µs / request is the contender's CPU time (user + system, all its processes) over the requests served. \"Other work before\" is how busy each CPU was in the second before each run, with the bench idle "+
		"(the box is shared; each run first waits up to %v for it to fall below %.0f%%): medians over the runs. Load average %s at the start, %s at the end.\n\n",
		cfg.reps, cfg.duration, cfg.warmup, cfg.quietWait, cfg.quietBusy, m.LoadStart, m.LoadEnd)

	direct := m.find("direct")
	p("| contender | req/s median | min – max | vs direct | p50 | p99 | RSS idle → load | CPU µs / request | busy CPU 0 / 1 | other work before (CPU 0 / 1) | errors |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range m.Contenders {
		rps := collect(c, func(s sample) float64 { return s.W.RPS() })
		lo, hi := minMax(rps)
		vsDirect := "-"
		if direct != nil && c != direct {
			vsDirect = fmt.Sprintf("%.2f", medianRPS(c)/medianRPS(direct))
		}
		var peak int64
		var errs int64
		for _, s := range c.Samples {
			peak = max(peak, s.RSSKB)
			errs += s.W.StatusErrors + s.W.SocketErrors
		}
		cpu0 := median(collect(c, func(s sample) float64 { return at(s.CPU, 0) }))
		cpu1 := median(collect(c, func(s sample) float64 { return at(s.CPU, 1) }))
		label := c.Label
		if c.Gatewayd {
			label = "**" + label + "**"
		}
		bg0 := median(collect(c, func(s sample) float64 { return at(s.Background, 0) }))
		bg1 := median(collect(c, func(s sample) float64 { return at(s.Background, 1) }))
		cpuReq := cpuPerRequestCell(collect(c, func(s sample) float64 { return cpuPerRequest(s.ProcCPU, s.W.Requests) }))
		p("| %s | %.0f | %.0f – %.0f | %s | %s | %s | %s → %s | %s | %.0f%% / %.0f%% | %.0f%% / %.0f%% | %d |\n", label, median(rps), lo, hi, vsDirect,
			ms(median(collect(c, func(s sample) float64 { return s.W.P50 }))),
			ms(median(collect(c, func(s sample) float64 { return s.W.P99 }))),
			mb(c.IdleRSSKB), mb(peak), cpuReq, cpu0, cpu1, bg0, bg1, errs)
	}
	p("\n")

	refs := []string{"nginx", "direct", "caddy", "haproxy", "fasthttp-bare"}
	p("Ratios of medians (in brackets: the range of the same ratio taken pass by pass, each pass measuring both back to back):\n\n")
	p("| gatewayd contender | / nginx | / direct | / Caddy | / HAProxy | / bare fasthttp |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range m.Contenders {
		if !c.Gatewayd {
			continue
		}
		p("| %s |", c.Label)
		for _, k := range refs {
			ref := m.find(k)
			if ref == nil || medianRPS(ref) == 0 {
				p(" - |")
				continue
			}
			lo, hi := minMax(pairedRatios(c, ref))
			p(" **%.2f** (%.2f – %.2f) |", medianRPS(c)/medianRPS(ref), lo, hi)
		}
		p("\n")
	}
	p("\n")

	for _, pair := range [][2]string{{"gatewayd", "baseline"}, {"gatewayd-auth", "baseline-auth"}, {"gatewayd-log", "baseline-log"}} {
		a, base := m.find(pair[0]), m.find(pair[1])
		if a == nil || base == nil || medianRPS(base) == 0 {
			continue
		}
		lo, hi := minMax(pairedRatios(a, base))
		p("This build / baseline build (`-baseline`), %s: **%.3f** (%.3f – %.3f pass by pass).\n\n", a.Label, medianRPS(a)/medianRPS(base), lo, hi)
	}

	if m.Rate > 0 {
		p("### Latency at a fixed rate (%.0f req/s, %.0f%% of %s's median max)\n\n", m.Rate, 100*cfg.rateFraction, m.RateBasis)
		p("Open-loop generator in acctest/bench (fasthttp client, %d connections, on CPU %s with the upstream; a dispatcher on its own thread releases "+
			"request *i* at start + *i*/rate): each latency runs from the request's due time to the end of its response, so a stall is charged to every "+
			"request it delays (no coordinated omission). %d runs of %v per contender, alternating order, each after a 1 s warm-up; medians of the per-run "+
			"percentiles. Added = contender − direct at the same rate. \"Late p99\" is how long after its due time a request left: the generator's own "+
			"precision plus any wait for a free connection while the server stalled (part of the latency, direct's included). "+
			"CPU µs / request is the contender's own CPU time (all its processes, from /proc) over the requests sent, and busy CPU 0 / 1 the cores' load "+
			"during the run: on a VM a request costs a proxy 1.3–1.8 times as much CPU at a moderate fixed rate as at saturation (each request finds the "+
			"core idle and every write wakes an idle peer), so a contender whose core nears 100%% here is at its capacity at this rate and its tail is queueing.\n\n",
			cfg.latConns, orDash(m.FixedCPUs), cfg.latReps, cfg.latDuration)
		p("| contender | p50 | p90 | p99 | p99.9 | added p50 | added p99 | errors / unsent | late p99 | CPU µs / request | busy CPU 0 / 1 | other work before (CPU 0 / 1) |\n")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		dp50, dp99 := 0.0, 0.0
		if direct != nil && len(direct.Fixed) > 0 {
			dp50 = median(collectFixed(direct, func(f fixedRateResult) float64 { return f.P50 }))
			dp99 = median(collectFixed(direct, func(f fixedRateResult) float64 { return f.P99 }))
		}
		for _, c := range m.Contenders {
			if len(c.Fixed) == 0 {
				continue
			}
			p50 := median(collectFixed(c, func(f fixedRateResult) float64 { return f.P50 }))
			p99 := median(collectFixed(c, func(f fixedRateResult) float64 { return f.P99 }))
			added50, added99 := "-", "-"
			if c != direct && direct != nil {
				added50, added99 = signedMs(p50-dp50), signedMs(p99-dp99)
			}
			var errs, unsent int
			for _, f := range c.Fixed {
				errs += f.Errors
				unsent += f.Unsent
			}
			note := ""
			if mr := medianRPS(c); mr > 0 && m.Rate > 0.8*mr {
				note = fmt.Sprintf(" (rate is %.0f%% of its max)", 100*m.Rate/mr)
			}
			label := c.Label
			if c.Gatewayd {
				label = "**" + label + "**"
			}
			cpuReq := cpuPerRequestCell(collectFixed(c, func(f fixedRateResult) float64 { return cpuPerRequest(f.ProcCPU, int64(f.Sent)) }))
			p("| %s%s | %s | %s | %s | %s | %s | %s | %d / %d | %s | %s | %.0f%% / %.0f%% | %.0f%% / %.0f%% |\n", label, note, ms(p50),
				ms(median(collectFixed(c, func(f fixedRateResult) float64 { return f.P90 }))), ms(p99),
				ms(median(collectFixed(c, func(f fixedRateResult) float64 { return f.P999 }))),
				added50, added99, errs, unsent, ms(median(collectFixed(c, func(f fixedRateResult) float64 { return f.LateP99 }))), cpuReq,
				median(collectFixed(c, func(f fixedRateResult) float64 { return at(f.CPU, 0) })),
				median(collectFixed(c, func(f fixedRateResult) float64 { return at(f.CPU, 1) })),
				median(collectFixed(c, func(f fixedRateResult) float64 { return at(f.Background, 0) })),
				median(collectFixed(c, func(f fixedRateResult) float64 { return at(f.Background, 1) })))
		}
		p("\n")
	}
}

// cpuPerRequestCell renders the median CPU time per request of a
// contender's runs ("-" for direct, whose process is the upstream).
func cpuPerRequestCell(v []float64) string {
	m := median(v)
	if m <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", m)
}

func signedMs(us float64) string {
	if us < 0 {
		return "−" + ms(-us)
	}
	return "+" + ms(us)
}

func at(v []float64, i int) float64 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// renderTargets checks issue 8's targets against this run.
func (r *report) renderTargets(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Issue 8's targets, in this run\n\n| target | layout | measured | met |\n|---|---|---:|:---:|\n")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	for _, m := range r.Modes {
		nginx, caddy, direct := m.find("nginx"), m.find("caddy"), m.find("direct")
		gw, auth := m.find("gatewayd"), m.find("gatewayd-auth")
		ratio := func(a, b *contenderResult) (float64, bool) {
			if a == nil || b == nil || medianRPS(b) == 0 {
				return 0, false
			}
			return medianRPS(a) / medianRPS(b), true
		}
		if v, ok := ratio(gw, nginx); ok {
			p("| no plugins ≥ 0.85 × nginx RPS | %s | %.2f | %s |\n", m.Layout.Name, v, yes(v >= 0.85))
		}
		if v, ok := ratio(auth, nginx); ok {
			p("| key-auth + rate-limiting ≥ 0.75 × nginx RPS | %s | %.2f | %s |\n", m.Layout.Name, v, yes(v >= 0.75))
		}
		if v, ok := ratio(gw, caddy); ok {
			p("| no plugins ≥ 1.5 × Caddy RPS | %s | %.2f | %s |\n", m.Layout.Name, v, yes(v >= 1.5))
		}
		if v, ok := ratio(auth, caddy); ok {
			p("| key-auth + rate-limiting ≥ 1.5 × Caddy RPS | %s | %.2f | %s |\n", m.Layout.Name, v, yes(v >= 1.5))
		}
		if direct != nil && len(direct.Fixed) > 0 {
			dp99 := median(collectFixed(direct, func(f fixedRateResult) float64 { return f.P99 }))
			for _, c := range []*contenderResult{gw, auth} {
				if c == nil || len(c.Fixed) == 0 {
					continue
				}
				added := median(collectFixed(c, func(f fixedRateResult) float64 { return f.P99 })) - dp99
				p("| p99 added over direct ≤ 1 ms at %.0f%% load (%s) | %s | %s | %s |\n", 100*r.Config.rateFraction, c.Label, m.Layout.Name, signedMs(added), yes(added <= 1000))
			}
		}
	}
	p("\n")
}
