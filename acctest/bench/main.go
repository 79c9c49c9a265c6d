// Command bench measures gatewayd against nginx, HAProxy and Caddy, and
// against a direct connection to the upstream, in one interleaved run over
// loopback, and writes bench/results.md and bench/chart.png.
//
//	go run ./acctest/bench              # the full run (make bench-compare)
//	go run ./acctest/bench -smoke       # a few seconds: every contender answers 200
//	go run ./acctest/bench -memory      # RSS with 10k services/routes/consumers
//	go run ./acctest/bench -hold -only gatewayd   # start, print ports, wait (profiling)
//
// Method (../shared/reference/performance.md §6): the proxy under test runs
// alone on CPU 1; wrk (1 thread), the fixed-rate generator and the upstream
// (nginx, 1 worker, `return 200` with a ~150-byte body) share CPU 0. Every
// contender is measured several times, in alternating order, each
// measurement after a warm-up; medians are reported with min and max.
// The issue's own configuration (nothing pinned, nginx with 2 workers) is
// measured too. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

type config struct {
	smoke, memory, hold, keep bool
	duration, warmup          time.Duration
	reps, conns               int
	latDuration               time.Duration
	latReps, latConns         int
	latMode                   string
	gatewaydEnv               string
	probe                     string
	baselineDesc              string
	probeRate                 float64
	rateFraction              float64
	layouts                   string
	only                      string
	out                       string
	gatewaydBin               string
	baseline                  string
	runAs                     string
	scaleN, memoryN           int
	quietWait                 time.Duration
	quietBusy                 float64
}

func defaultConfig() config {
	return config{
		duration: 8 * time.Second, warmup: 2 * time.Second, reps: 5, conns: 64,
		latDuration: 10 * time.Second, latReps: 2, latConns: 128, latMode: "spin", rateFraction: 0.5,
		layouts: "pinned,issue", runAs: "nobody", scaleN: 1000, memoryN: 10000,
		quietWait: 90 * time.Second, quietBusy: 25,
	}
}

// smokeConfig is -smoke: every contender started, answered and measured
// for a moment. Nothing is pinned and nothing is written.
func smokeConfig(c config) config {
	c.smoke = true
	c.duration, c.warmup, c.reps = time.Second, 0, 1
	c.latDuration, c.latReps, c.latConns = time.Second, 1, 4
	c.layouts = "pinned"
	c.scaleN = 20
	c.out = ""
	c.quietWait = 0
	return c
}

func main() {
	cfg := defaultConfig()
	flag.BoolVar(&cfg.smoke, "smoke", false, "smoke run: a few seconds, asserts only that every contender answered 200")
	flag.BoolVar(&cfg.memory, "memory", false, "measure gatewayd's RSS with -memory-n services, routes, consumers and key-auth credentials")
	flag.BoolVar(&cfg.hold, "hold", false, "start the contenders, print their URLs and pids, and wait for Ctrl-C (for profiling)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the run directory (configs, logs) after the run")
	flag.DurationVar(&cfg.duration, "duration", cfg.duration, "measured duration of one wrk run")
	flag.DurationVar(&cfg.warmup, "warmup", cfg.warmup, "untimed wrk warm-up before each measured run")
	flag.IntVar(&cfg.reps, "reps", cfg.reps, "measured runs per contender (alternating order)")
	flag.IntVar(&cfg.conns, "conns", cfg.conns, "wrk connections")
	flag.DurationVar(&cfg.latDuration, "latency-duration", cfg.latDuration, "duration of one fixed-rate latency run")
	flag.IntVar(&cfg.latReps, "latency-reps", cfg.latReps, "fixed-rate runs per contender (0 skips them)")
	flag.IntVar(&cfg.latConns, "latency-conns", cfg.latConns, "connections of the fixed-rate generator")
	flag.StringVar(&cfg.latMode, "latency-wait", cfg.latMode, "how the fixed-rate generator waits for a request's due time: sleep (timers) or spin (a dispatcher spinning with sched_yield)")
	flag.Float64Var(&cfg.rateFraction, "rate-fraction", cfg.rateFraction, "fixed rate as a fraction of gatewayd's (no plugins) median max RPS")
	flag.StringVar(&cfg.layouts, "layouts", cfg.layouts, "comma-separated: pinned (performance.md §6), issue (unpinned, 2 workers)")
	flag.StringVar(&cfg.only, "only", "", "comma-separated contender keys (direct,nginx,haproxy,caddy,fasthttp-bare,gatewayd,gatewayd-auth,gatewayd-1k,gatewayd-log)")
	flag.StringVar(&cfg.out, "out", "", "directory for results.md and chart.png (default <repo>/bench)")
	flag.StringVar(&cfg.gatewaydBin, "gatewayd", "", "gatewayd binary to run (default: built from this checkout, or $GATEWAYD_BIN)")
	flag.StringVar(&cfg.baseline, "baseline", "", "another gatewayd binary, measured as extra contenders (baseline, baseline-auth) in the same interleaved run")
	flag.StringVar(&cfg.baselineDesc, "baseline-desc", "the build of the code before the profile-driven changes of bench/README.md", "what the -baseline binary is, for the report")
	flag.StringVar(&cfg.gatewaydEnv, "gatewayd-env", "", "space-separated KEY=value pairs added to the gatewayd contenders' environment (e.g. GOGC=400, GODEBUG=gctrace=1)")
	flag.StringVar(&cfg.probe, "probe", "", "only run the fixed-rate generator against host:port (with -probe-rate, -latency-duration) and print the result")
	flag.Float64Var(&cfg.probeRate, "probe-rate", 1000, "rate of -probe")
	flag.StringVar(&cfg.runAs, "user", cfg.runAs, "user the contenders run as when the bench runs as root")
	flag.IntVar(&cfg.scaleN, "scale-n", cfg.scaleN, "routes and consumers of the gatewayd-1k contender")
	flag.DurationVar(&cfg.quietWait, "quiet-wait", cfg.quietWait, "before each measured run, wait up to this long for the other work on the box to fall below -quiet-busy (0: never wait)")
	flag.Float64Var(&cfg.quietBusy, "quiet-busy", cfg.quietBusy, "busy percentage of a CPU, with the bench idle, above which the box counts as busy")
	flag.IntVar(&cfg.memoryN, "memory-n", cfg.memoryN, "services, routes, consumers and credentials of -memory")
	flag.Parse()
	if cfg.smoke {
		cfg = smokeConfig(cfg)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if cfg.probe != "" {
		r, err := runFixedRate(ctx, cfg.probe, cfg.probeRate, cfg.latDuration, cfg.latConns, cfg.latMode)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		fmt.Printf("rate %.0f/s for %v: p50 %.0fµs p90 %.0fµs p99 %.0fµs p99.9 %.0fµs max %.0fµs; sent %d, errors %d, unsent %d; generator late p99 %.0fµs\n",
			r.Rate, r.Duration, r.P50, r.P90, r.P99, r.P999, r.Max, r.Sent, r.Errors, r.Unsent, r.LateP99)
		return
	}
	if err := run(ctx, cfg, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// bench is one run of the harness.
type bench struct {
	cfg         config
	root        string
	sup         *supervisor
	log         io.Writer
	gatewaydBin string
	bareBin     string
	baselineBin string
}

// run is the whole harness; every process it starts is stopped before it
// returns, whatever happened.
func run(ctx context.Context, cfg config, log io.Writer) (err error) {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if cfg.out == "" && !cfg.smoke {
		cfg.out = filepath.Join(root, "bench")
	}
	for _, tool := range []string{"nginx", "haproxy", "caddy", "wrk", "taskset", "go"} {
		if _, err := lookPath(tool); err != nil {
			return fmt.Errorf("%s not found (acctest/deps.sh installs the benchmark tools): %w", tool, err)
		}
	}
	sup, err := newSupervisor(cfg.runAs, !cfg.smoke)
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg, root: root, sup: sup, log: log}
	defer func() {
		if r := recover(); r != nil {
			sup.close(cfg.keep)
			panic(r)
		}
		sup.close(cfg.keep)
		if cfg.keep {
			fmt.Fprintf(log, "run directory kept: %s\n", sup.dir)
		}
	}()
	fmt.Fprintf(log, "bench: run directory %s; building gatewayd\n", sup.dir)
	if b.gatewaydBin, err = b.buildGatewayd(ctx); err != nil {
		return err
	}
	if b.bareBin, err = b.goBuild(ctx, "bareproxy", "./acctest/bench/bareproxy"); err != nil {
		return err
	}
	if cfg.baseline != "" {
		if b.baselineBin, err = b.copyBinary(cfg.baseline, "gatewayd-baseline"); err != nil {
			return err
		}
	}
	switch {
	case cfg.memory:
		return b.runMemory(ctx)
	case cfg.hold:
		return b.runHold(ctx)
	}
	return b.runCompare(ctx)
}

// runCompare is the side-by-side comparison.
func (b *bench) runCompare(ctx context.Context) error {
	rep := &report{Started: time.Now(), Config: b.cfg}
	rep.Machine = describeMachine(ctx, b.gatewaydBin)
	if !b.cfg.smoke {
		rep.BackgroundBefore = backgroundBusy(ctx, 3*time.Second)
		rep.LoadBefore = loadAvg()
		fmt.Fprintf(b.log, "bench: load average %s; CPU busy while idle: %s\n", rep.LoadBefore, fmtPercents(rep.BackgroundBefore))
	}
	for _, name := range strings.Split(b.cfg.layouts, ",") {
		var l layout
		switch strings.TrimSpace(name) {
		case "pinned":
			l = layoutPinned
		case "issue":
			l = layoutIssue
		default:
			return fmt.Errorf("unknown layout %q (want pinned or issue)", name)
		}
		m, err := b.runLayout(ctx, l)
		if err != nil {
			return err
		}
		rep.Modes = append(rep.Modes, m)
	}
	rep.Finished = time.Now()
	b.sup.mu.Lock()
	rep.Commands = slices.Clone(b.sup.commands)
	b.sup.mu.Unlock()
	if !b.cfg.smoke {
		rep.LoadAfter = loadAvg()
		rep.BackgroundAfter = backgroundBusy(ctx, 3*time.Second)
	}
	if b.cfg.smoke {
		return rep.smokeCheck(b.log)
	}
	return rep.write(b.cfg.out, b.log)
}

// sample is one measured wrk run.
type sample struct {
	Rep   int
	W     wrkResult
	RSSKB int64     // peak VmRSS sampled during the run (process tree)
	CPU   []float64 // busy % per CPU during the run
	// ProcCPU is the CPU time the contender's processes used during the
	// run (zero for direct, whose process is the upstream).
	ProcCPU time.Duration
	Load    string // load average at the end of the run
	// Background is the busy % per CPU just before the run, with the
	// bench idle: other work on the box.
	Background []float64
	// Waited is how long the run waited for the box to quieten.
	Waited time.Duration
}

type contenderResult struct {
	Key, Label string
	Gatewayd   bool
	Samples    []sample
	IdleRSSKB  int64
	Fixed      []fixedRateResult
}

type layoutResult struct {
	Layout      layout
	Contenders  []*contenderResult
	Rate        float64 // fixed rate of the latency runs
	RateBasis   string
	WrkCommand  string
	Started     time.Time
	Finished    time.Time
	LoadStart   string
	LoadEnd     string
	FixedCPUs   string
	FixedFailed string
}

func (m *layoutResult) find(key string) *contenderResult {
	for _, c := range m.Contenders {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// runLayout starts the contenders of one layout, measures them and stops them.
func (b *bench) runLayout(ctx context.Context, l layout) (*layoutResult, error) {
	fmt.Fprintf(b.log, "bench: layout %s: starting contenders\n", l.Name)
	keys := b.contenderKeys(l)
	cs, up, err := b.startContenders(ctx, l, keys)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, c := range cs {
			b.sup.stop(c.proc)
		}
		b.sup.stop(up)
	}()
	m := &layoutResult{Layout: l, Started: time.Now(), LoadStart: loadAvg()}
	m.WrkCommand = strings.Join(quoteArgs(b.wrkArgs("http://127.0.0.1:PORT"+benchPath, b.cfg.duration, b.cfg.conns)), " ")
	if l.ClientCPUs != "" {
		m.WrkCommand = "taskset -c " + l.ClientCPUs + " " + m.WrkCommand
	}
	results := map[string]*contenderResult{}
	for _, c := range cs {
		r := &contenderResult{Key: c.Key, Label: c.Label, Gatewayd: c.Gatewayd, IdleRSSKB: rssKB(c.pid)}
		results[c.Key] = r
		m.Contenders = append(m.Contenders, r)
	}

	for rep := 0; rep < b.cfg.reps; rep++ {
		order := slices.Clone(cs)
		if rep%2 == 1 {
			slices.Reverse(order)
		}
		for _, c := range order {
			if ctx.Err() != nil {
				return nil, errStopped
			}
			s, err := b.measure(ctx, l, c)
			if err != nil {
				return nil, fmt.Errorf("%s (%s): %w", c.Key, l.Name, err)
			}
			s.Rep = rep
			results[c.Key].Samples = append(results[c.Key].Samples, s)
			fmt.Fprintf(b.log, "  [%s rep %d] %-16s %9.0f req/s  p50 %7.0fµs  p99 %7.0fµs  RSS %6.1f MB  CPU %s  errors %d/%d  (before: %s, waited %v)\n",
				l.Name, rep+1, c.Key, s.W.RPS(), s.W.P50, s.W.P99, float64(s.RSSKB)/1024, fmtPercents(s.CPU), s.W.StatusErrors, s.W.SocketErrors,
				fmtPercents(s.Background), s.Waited)
		}
	}

	if b.cfg.latReps > 0 && (l.Name == layoutPinned.Name || b.cfg.smoke) {
		if err := b.measureFixedRate(ctx, l, cs, m); err != nil {
			return nil, err
		}
	}
	m.Finished, m.LoadEnd = time.Now(), loadAvg()
	return m, nil
}

// waitQuiet samples the CPUs with the bench idle and, while another
// process keeps one busier than quietBusy, waits (up to quietWait). It
// returns the last sample and how long it waited.
func (b *bench) waitQuiet(ctx context.Context) ([]float64, time.Duration) {
	start := time.Now()
	for {
		bg := backgroundBusy(ctx, time.Second)
		if b.cfg.quietWait <= 0 || slices.Max(append([]float64{0}, bg...)) <= b.cfg.quietBusy ||
			time.Since(start) >= b.cfg.quietWait || ctx.Err() != nil {
			return bg, time.Since(start).Round(time.Second)
		}
	}
}

// measure is one warm-up plus one measured wrk run against a contender.
func (b *bench) measure(ctx context.Context, l layout, c *contender) (sample, error) {
	var bg []float64
	var waited time.Duration
	if !b.cfg.smoke {
		bg, waited = b.waitQuiet(ctx)
	}
	if b.cfg.warmup > 0 {
		if _, err := b.runWrk(ctx, c.URL(), b.cfg.warmup, b.cfg.conns, l.ClientCPUs); err != nil {
			return sample{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	var s sample
	stopRSS := samplePeakRSS(c.pid)
	usage := c.startUsage()
	w, err := b.runWrk(ctx, c.URL(), b.cfg.duration, b.cfg.conns, l.ClientCPUs)
	s.CPU, s.ProcCPU = usage()
	s.RSSKB = stopRSS()
	if err != nil {
		return s, err
	}
	if s.RSSKB == 0 {
		s.RSSKB = rssKB(c.pid)
	}
	s.W, s.Load = w, loadAvg()
	s.Background, s.Waited = bg, waited
	return s, nil
}

// measureFixedRate runs the open-loop generator at one rate against every
// contender: rate-fraction × gatewayd's (no plugins) median max RPS, the
// same rate for all, so latency added over direct can be subtracted.
func (b *bench) measureFixedRate(ctx context.Context, l layout, cs []*contender, m *layoutResult) error {
	basis := m.find("gatewayd")
	m.RateBasis = "gatewayd, no plugins"
	if basis == nil || len(basis.Samples) == 0 {
		// Without gatewayd, the slowest proxy sets the rate.
		for _, c := range m.Contenders {
			if c.Key != "direct" && (basis == nil || medianRPS(c) < medianRPS(basis)) {
				basis, m.RateBasis = c, c.Label
			}
		}
	}
	if basis == nil {
		basis, m.RateBasis = m.Contenders[0], m.Contenders[0].Label
	}
	m.Rate = b.cfg.rateFraction * medianRPS(basis)
	if b.cfg.smoke {
		m.Rate = 200
	}
	m.Rate = max(100, float64(int(m.Rate/100)*100))
	if l.ClientCPUs != "" {
		// The generator is this process: run it next to the upstream.
		if err := b.sup.repin(ctx, os.Getpid(), l.ClientCPUs); err != nil {
			return err
		}
		// One core: runFixedRate takes a second P for its dispatcher when
		// it spins.
		prev := runtime.GOMAXPROCS(1)
		m.FixedCPUs = l.ClientCPUs
		defer func() {
			runtime.GOMAXPROCS(prev)
			_ = b.sup.repin(context.Background(), os.Getpid(), fmt.Sprintf("0-%d", runtime.NumCPU()-1))
		}()
	}
	results := map[string]*contenderResult{}
	for _, c := range m.Contenders {
		results[c.Key] = c
	}
	fmt.Fprintf(b.log, "bench: layout %s: fixed rate %.0f req/s (%.0f%% of %s's median max)\n", l.Name, m.Rate, 100*b.cfg.rateFraction, m.RateBasis)
	for rep := 0; rep < b.cfg.latReps; rep++ {
		order := slices.Clone(cs)
		if rep%2 == 1 {
			slices.Reverse(order)
		}
		for _, c := range order {
			if ctx.Err() != nil {
				return errStopped
			}
			addr := fmt.Sprintf("127.0.0.1:%d", c.Port)
			var bg []float64
			if !b.cfg.smoke {
				bg, _ = b.waitQuiet(ctx)
				if _, err := runFixedRate(ctx, addr, m.Rate, time.Second, b.cfg.latConns, b.cfg.latMode); err != nil {
					return err
				}
			}
			usage := c.startUsage()
			r, err := runFixedRate(ctx, addr, m.Rate, b.cfg.latDuration, b.cfg.latConns, b.cfg.latMode)
			if err != nil {
				return fmt.Errorf("%s fixed rate: %w", c.Key, err)
			}
			r.CPU, r.ProcCPU = usage()
			r.Background = bg
			results[c.Key].Fixed = append(results[c.Key].Fixed, r)
			fmt.Fprintf(b.log, "  [fixed %.0f/s rep %d] %-16s p50 %7.0fµs  p99 %7.0fµs  p99.9 %7.0fµs  errors %d unsent %d  CPU %s, %.1f µs/request (generator late p99 %.0fµs; before: %s)\n",
				m.Rate, rep+1, c.Key, r.P50, r.P99, r.P999, r.Errors, r.Unsent, fmtPercents(r.CPU), cpuPerRequest(r.ProcCPU, int64(r.Sent)), r.LateP99, fmtPercents(bg))
		}
	}
	return nil
}

// runHold starts the pinned contenders and waits, for profiling by hand.
func (b *bench) runHold(ctx context.Context) error {
	l := layoutPinned
	if b.cfg.layouts == "issue" {
		l = layoutIssue
	}
	cs, _, err := b.startContenders(ctx, l, b.contenderKeys(l))
	if err != nil {
		return err
	}
	for _, c := range cs {
		fmt.Fprintf(b.log, "%-16s pid %-7d %s\n", c.Key, c.pid, c.URL())
	}
	fmt.Fprintf(b.log, "wrk: %s\nholding until Ctrl-C\n", strings.Join(quoteArgs(b.wrkArgs("URL", b.cfg.duration, b.cfg.conns)), " "))
	<-ctx.Done()
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "bench", "configs")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod with bench/configs in the working directory or any parent")
		}
		dir = parent
	}
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \"'$") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

func fmtPercents(p []float64) string {
	parts := make([]string, len(p))
	for i, v := range p {
		parts[i] = fmt.Sprintf("cpu%d %.0f%%", i, v)
	}
	return strings.Join(parts, ", ")
}
