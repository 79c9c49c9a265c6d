package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkResult is one wrk run, parsed from the line bench/configs/wrk-report.lua
// prints. Latencies are in microseconds.
type wrkResult struct {
	Requests     int64
	Duration     time.Duration
	StatusErrors int64 // responses with a status >= 400
	SocketErrors int64 // connect, read, write and timeout errors
	P50, P90     float64
	P99, P999    float64
	Max          float64
}

// RPS is requests per second over the measured duration.
func (r wrkResult) RPS() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Duration.Seconds()
}

// wrkArgs is the wrk command line for a run against url.
func (b *bench) wrkArgs(url string, d time.Duration, conns int) []string {
	args := []string{"wrk", "-t1", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", max(1, int(d.Round(time.Second)/time.Second))),
		"--timeout", "5s", "-s", filepath.Join(b.root, "bench", "configs", "wrk-report.lua")}
	for _, h := range benchHeaders {
		args = append(args, "-H", h[0]+": "+h[1])
	}
	return append(args, url)
}

// runWrk runs wrk pinned to cpus ("" = not pinned) and parses its report.
func (b *bench) runWrk(ctx context.Context, url string, d time.Duration, conns int, cpus string) (wrkResult, error) {
	out, err := b.sup.run(ctx, d+30*time.Second, cpus, b.wrkArgs(url, d, conns)...)
	if err != nil {
		return wrkResult{}, err
	}
	return parseWrk(out)
}

// parseWrk reads the GWBENCH line of wrk-report.lua.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "GWBENCH ")
		if !ok {
			continue
		}
		v := map[string]float64{}
		for _, f := range strings.Fields(rest) {
			k, s, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return r, fmt.Errorf("wrk report: %s: %w", f, err)
			}
			v[k] = x
		}
		r.Requests = int64(v["requests"])
		r.Duration = time.Duration(v["duration_us"]) * time.Microsecond
		r.StatusErrors = int64(v["status_errors"])
		r.SocketErrors = int64(v["connect"] + v["read"] + v["write"] + v["timeout"])
		r.P50, r.P90, r.P99, r.P999, r.Max = v["p50"], v["p90"], v["p99"], v["p999"], v["max"]
		if r.Duration <= 0 {
			return r, fmt.Errorf("wrk report without a duration:\n%s", out)
		}
		return r, nil
	}
	return r, fmt.Errorf("no GWBENCH line in wrk's output:\n%s", out)
}
