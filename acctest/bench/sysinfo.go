package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes the box a run was taken on.
type machine struct {
	CPUModel       string
	CPUs           int
	ThreadsPerCore string
	Hypervisor     string
	Kernel         string // uname -srvm
	Nproc          string
	MemTotal       string
	Versions       map[string]string
}

func describeMachine(ctx context.Context, gatewaydBin string) machine {
	m := machine{CPUs: runtime.NumCPU(), Versions: map[string]string{}}
	out := cmdOutput(ctx, "lscpu")
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Model name":
			m.CPUModel = v
		case "Thread(s) per core":
			m.ThreadsPerCore = v
		case "Hypervisor vendor":
			m.Hypervisor = v
		}
	}
	m.Kernel = strings.TrimSpace(cmdOutput(ctx, "uname", "-srvm"))
	m.Nproc = strings.TrimSpace(cmdOutput(ctx, "nproc"))
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		m.MemTotal = strings.Join(strings.Fields(strings.TrimPrefix(line, "MemTotal:")), " ")
	}
	first := func(s string) string { l, _, _ := strings.Cut(strings.TrimSpace(s), "\n"); return l }
	m.Versions["nginx"] = first(cmdOutput(ctx, "nginx", "-v"))
	m.Versions["haproxy"] = first(cmdOutput(ctx, "haproxy", "-v"))
	m.Versions["caddy"] = first(cmdOutput(ctx, "caddy", "version"))
	m.Versions["wrk"] = first(cmdOutput(ctx, "wrk", "-v"))
	m.Versions["go"] = runtime.Version()
	if gatewaydBin != "" {
		m.Versions["gatewayd"] = first(cmdOutput(ctx, gatewaydBin, "version"))
	}
	return m
}

func cmdOutput(ctx context.Context, name string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out)
}

// loadAvg returns /proc/loadavg's first three fields.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// cpuTimes are the busy and total jiffies of each CPU (/proc/stat).
type cpuTimes struct{ busy, total []uint64 }

func readCPUTimes() cpuTimes {
	var t cpuTimes
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		var total, idle uint64
		for i, s := range f[1:] {
			v, _ := strconv.ParseUint(s, 10, 64)
			if i >= 8 { // guest time is already in user
				break
			}
			total += v
			if i == 3 || i == 4 { // idle, iowait
				idle += v
			}
		}
		t.busy = append(t.busy, total-idle)
		t.total = append(t.total, total)
	}
	return t
}

// busyPercent is each CPU's busy share between two readings.
func busyPercent(a, b cpuTimes) []float64 {
	out := make([]float64, 0, len(a.busy))
	for i := range a.busy {
		if i >= len(b.busy) {
			break
		}
		dt := float64(b.total[i] - a.total[i])
		if dt <= 0 {
			out = append(out, 0)
			continue
		}
		out = append(out, 100*float64(b.busy[i]-a.busy[i])/dt)
	}
	return out
}

// backgroundBusy measures how busy the CPUs are while the bench itself is
// idle: other work on a shared box, reported with the results.
func backgroundBusy(ctx context.Context, d time.Duration) []float64 {
	a := readCPUTimes()
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	return busyPercent(a, readCPUTimes())
}

// rssKB is the resident set (VmRSS) of a process and all its descendants,
// in KiB; nginx and HAProxy masters count with their workers.
func rssKB(pid int) int64 {
	var total int64
	for _, p := range processTree(pid) {
		total += statusField(p, "VmRSS:")
	}
	return total
}

// hwmKB is the peak resident set (VmHWM) of one process, in KiB.
func hwmKB(pid int) int64 { return statusField(pid, "VmHWM:") }

func statusField(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				return v
			}
		}
	}
	return 0
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ,
// 100 on Linux for every architecture Go supports).
const clockTick = 10 * time.Millisecond

// processCPU is the CPU time (user + system) a process and all its
// descendants have used so far.
func processCPU(pid int) time.Duration {
	var ticks uint64
	for _, p := range processTree(pid) {
		// utime and stime: fields 14 and 15 of proc(5), the 12th and
		// 13th after the command.
		f := procStatFields(strconv.Itoa(p))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseUint(f[11], 10, 64)
		s, _ := strconv.ParseUint(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * clockTick
}

// procStatFields returns the fields of /proc/<pid>/stat after the
// command (state, ppid, ...), or nil. The command may contain spaces and
// parentheses: the fields resume after the last ')'.
func procStatFields(pid string) []string {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(data[i+1:]))
}

// startUsage starts measuring a run: the returned function gives each
// CPU's busy share since, and the CPU time the contender's processes used
// (zero for direct, whose process is the upstream, not a proxy).
func (c *contender) startUsage() func() (busy []float64, proc time.Duration) {
	before, procBefore := readCPUTimes(), processCPU(c.pid)
	return func() ([]float64, time.Duration) {
		busy := busyPercent(before, readCPUTimes())
		if c.Key == "direct" {
			return busy, 0
		}
		return busy, processCPU(c.pid) - procBefore
	}
}

// cpuPerRequest is CPU time per request in microseconds (0 when unknown).
func cpuPerRequest(cpu time.Duration, requests int64) float64 {
	if requests <= 0 || cpu <= 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(requests)
}

// processTree returns pid and every descendant.
func processTree(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f := procStatFields(e.Name())
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], p)
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}
