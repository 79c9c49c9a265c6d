package main

import (
	"os"
	"testing"
	"time"
)

// The per-request CPU column reads utime + stime of the contender's
// process tree: this process, after burning CPU, must show it.
func TestProcessCPUCountsUserAndSystemTime(t *testing.T) {
	// Burn CPU until the counter moves by 50 ms (bounded by 10 s of wall
	// time, so a starved box cannot hang the test).
	before := processCPU(os.Getpid())
	deadline := time.Now().Add(10 * time.Second)
	used := time.Duration(0)
	for used < 50*time.Millisecond && time.Now().Before(deadline) {
		for i := 0; i < 1_000_000; i++ {
			sink += i
		}
		used = processCPU(os.Getpid()) - before
	}
	if used < 50*time.Millisecond {
		t.Fatalf("after 10 s of busy looping processCPU saw %v", used)
	}
	if processCPU(1<<30) != 0 {
		t.Fatal("a process that does not exist used CPU")
	}
}

var sink int

func TestCPUPerRequest(t *testing.T) {
	for _, tc := range []struct {
		cpu  time.Duration
		reqs int64
		want float64
	}{
		{2 * time.Second, 100000, 20},
		{0, 100000, 0},
		{time.Second, 0, 0},
	} {
		if got := cpuPerRequest(tc.cpu, tc.reqs); got != tc.want {
			t.Errorf("cpuPerRequest(%v, %d) = %v, want %v", tc.cpu, tc.reqs, got, tc.want)
		}
	}
}
