// Package balancer spreads requests over an upstream's targets. Balancers
// are immutable parts of a runtime snapshot; picking is lock-free.
package balancer

import (
	"sort"
	"sync/atomic"
)

// Target is one backend of an upstream.
type Target struct {
	Host   string // hostname or IP (IPv6 without brackets)
	Port   int
	Weight int
	// Addr is "host:port" ready to dial (IPv6 in brackets).
	Addr string
}

// RoundRobin is a weighted round-robin balancer. Weights are expanded into a
// slot sequence interleaved like nginx's smooth weighted round-robin, so a
// 2:1 weighting yields A B A, not A A B; a shared atomic counter walks it.
type RoundRobin struct {
	Targets []Target
	slots   []uint16
	next    atomic.Uint64
}

// maxSlots bounds the expanded sequence; weights are scaled down past it.
const maxSlots = 4096

// NewRoundRobin builds a balancer; targets with weight 0 are disabled.
func NewRoundRobin(targets []Target) *RoundRobin {
	rr := &RoundRobin{}
	for _, t := range targets {
		if t.Weight > 0 {
			rr.Targets = append(rr.Targets, t)
		}
	}
	sort.SliceStable(rr.Targets, func(i, j int) bool { return rr.Targets[i].Addr < rr.Targets[j].Addr })
	rr.slots = smoothSequence(rr.Targets)
	return rr
}

// smoothSequence runs nginx's smooth weighted round-robin for one full
// cycle (sum of weights, reduced by their gcd) and records the order.
func smoothSequence(ts []Target) []uint16 {
	if len(ts) == 0 {
		return nil
	}
	g := 0
	for _, t := range ts {
		g = gcd(g, t.Weight)
	}
	weights := make([]int, len(ts))
	total := 0
	for i, t := range ts {
		weights[i] = t.Weight / g
		total += weights[i]
	}
	for total > maxSlots {
		total = 0
		for i := range weights {
			weights[i] = (weights[i] + 1) / 2
			total += weights[i]
		}
	}
	current := make([]int, len(ts))
	seq := make([]uint16, 0, total)
	for n := 0; n < total; n++ {
		best := 0
		for i := range current {
			current[i] += weights[i]
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		seq = append(seq, uint16(best))
	}
	return seq
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Pick returns the index of the next target, or -1 when none is usable.
func (rr *RoundRobin) Pick() int {
	if len(rr.slots) == 0 {
		return -1
	}
	n := rr.next.Add(1) - 1
	return int(rr.slots[n%uint64(len(rr.slots))])
}

// Len is the number of usable targets.
func (rr *RoundRobin) Len() int { return len(rr.Targets) }
