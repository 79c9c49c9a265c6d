package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// fixedRateResult is one open-loop run. Latencies are measured from each
// request's scheduled send time, not from when it was actually sent, so a
// stalled server is charged for every request it delayed (no coordinated
// omission, as wrk2 measures).
type fixedRateResult struct {
	Rate     float64       // requests per second scheduled
	Duration time.Duration // scheduled duration
	Sent     int
	Errors   int // transport errors and non-200 answers
	Unsent   int // scheduled but never sent before the deadline
	// Latency percentiles in microseconds, from scheduled send time to the
	// end of the response.
	P50, P90, P99, P999, Max float64
	// LateP99 is the 99th percentile of how late requests left the
	// generator (µs): its own precision, included in the latencies above.
	LateP99 float64
	// Background is the busy % per CPU just before the run (other work).
	Background []float64
	// CPU is the busy % per CPU during the run and ProcCPU the CPU time
	// the contender used (zero for direct): at a fixed rate they show how
	// close to its capacity a contender ran.
	CPU     []float64
	ProcCPU time.Duration
}

// runFixedRate sends requests to url at rate per second for d over conns
// connections: request i is due at start + i/rate and is handed to a free
// worker at that time. When every worker is busy, requests go out late and
// their latency includes the wait. The run is bounded: requests not sent
// within d + 2 s count as unsent.
func runFixedRate(ctx context.Context, addr string, rate float64, d time.Duration, conns int, mode string) (fixedRateResult, error) {
	res := fixedRateResult{Rate: rate, Duration: d}
	total := int(rate * d.Seconds())
	if total <= 0 {
		return res, fmt.Errorf("fixed rate: nothing to send at %.0f/s for %v", rate, d)
	}
	hc := &fasthttp.HostClient{Addr: addr, MaxConns: conns, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
		MaxIdemponentCallAttempts: 1, NoDefaultUserAgentHeader: true, DisablePathNormalizing: true}
	defer hc.CloseIdleConnections()
	lat := make([]int64, total) // ns; -1 = failed, 0 = unsent
	late := make([]int64, total)
	interval := float64(time.Second) / rate
	var errs atomic.Int64
	start := time.Now().Add(20 * time.Millisecond)
	deadline := start.Add(d + 2*time.Second)
	due := func(i int) time.Time { return start.Add(time.Duration(float64(i) * interval)) }
	// next hands a worker the next request once it is due.
	var next func() (int, bool)
	switch mode {
	case "spin":
		if runtime.GOMAXPROCS(0) < 2 {
			// The dispatcher holds a P while it spins; the workers and the
			// network poller need another.
			prev := runtime.GOMAXPROCS(2)
			defer runtime.GOMAXPROCS(prev)
		}
		// One dispatcher releases each request at its due time: it sleeps
		// while the next one is more than 2 ms away and otherwise spins,
		// yielding (sched_yield) on every turn.
		jobs := make(chan int, total)
		go func() {
			defer close(jobs)
			// The dispatcher keeps its own thread and P while it spins, so
			// the workers and the network poller run on the other P.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for i := 0; i < total; i++ {
				at := due(i)
				for {
					w := time.Until(at)
					if w <= 0 {
						break
					}
					if ctx.Err() != nil {
						return
					}
					if w > 2*time.Millisecond {
						time.Sleep(w - 2*time.Millisecond)
						continue
					}
					_, _, _ = syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
				}
				if time.Now().After(deadline) {
					return
				}
				jobs <- i
			}
		}()
		next = func() (int, bool) { i, ok := <-jobs; return i, ok }
	default: // "sleep"
		// A free worker takes the next request and sleeps until it is due.
		// Go's timers are checked whenever the scheduler runs, so under a
		// steady stream of responses they wake within tens of µs; on an
		// idle process netpoll waits whole milliseconds, which shows as
		// generator lateness at low rates.
		var ticket atomic.Int64
		next = func() (int, bool) {
			i := int(ticket.Add(1) - 1)
			if i >= total {
				return 0, false
			}
			if w := time.Until(due(i)); w > 0 {
				time.Sleep(w)
			}
			return i, true
		}
	}
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + addr + benchPath)
			for _, h := range benchHeaders {
				if h[0] == "Host" {
					req.Header.SetHost(h[1])
				} else {
					req.Header.Set(h[0], h[1])
				}
			}
			req.UseHostHeader = true
			for {
				i, ok := next()
				if !ok {
					return
				}
				at := due(i)
				sent := time.Now()
				if sent.After(deadline) || ctx.Err() != nil {
					continue // counted as unsent
				}
				late[i] = int64(sent.Sub(at))
				err := hc.DoTimeout(req, resp, 5*time.Second)
				done := time.Now()
				if err != nil || resp.StatusCode() != fasthttp.StatusOK {
					lat[i] = -1
					errs.Add(1)
					continue
				}
				lat[i] = max(1, int64(done.Sub(at)))
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	ok := make([]int64, 0, total)
	lates := make([]int64, 0, total)
	for i, v := range lat {
		switch {
		case v > 0:
			ok = append(ok, v)
			lates = append(lates, late[i])
		case v == 0:
			res.Unsent++
		}
	}
	res.Errors = int(errs.Load())
	res.Sent = total - res.Unsent
	slices.Sort(ok)
	slices.Sort(lates)
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	res.P50, res.P90 = us(percentile(ok, 50)), us(percentile(ok, 90))
	res.P99, res.P999 = us(percentile(ok, 99)), us(percentile(ok, 99.9))
	if len(ok) > 0 {
		res.Max = us(ok[len(ok)-1])
	}
	res.LateP99 = us(percentile(lates, 99))
	return res, nil
}

// percentile of sorted values (nearest rank).
func percentile(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
