package balancer

import "testing"

func TestRoundRobinHonoursWeights(t *testing.T) {
	rr := NewRoundRobin([]Target{
		{Addr: "a:1", Weight: 200},
		{Addr: "b:1", Weight: 100},
		{Addr: "c:1", Weight: 0},
	})
	if rr.Len() != 2 {
		t.Fatalf("weight-0 target must be disabled, got %d targets", rr.Len())
	}
	counts := map[string]int{}
	for i := 0; i < 300; i++ {
		counts[rr.Targets[rr.Pick()].Addr]++
	}
	if counts["a:1"] != 200 || counts["b:1"] != 100 {
		t.Fatalf("want 200/100 split, got %v", counts)
	}
}

func TestRoundRobinInterleaves(t *testing.T) {
	rr := NewRoundRobin([]Target{{Addr: "a:1", Weight: 2}, {Addr: "b:1", Weight: 1}})
	var got string
	for i := 0; i < 3; i++ {
		got += rr.Targets[rr.Pick()].Addr[:1]
	}
	if got != "aba" {
		t.Fatalf("smooth weighted order: want aba, got %s", got)
	}
}

func TestRoundRobinEmpty(t *testing.T) {
	if NewRoundRobin(nil).Pick() != -1 {
		t.Fatal("empty balancer must report no target")
	}
	if NewRoundRobin([]Target{{Addr: "a:1", Weight: 0}}).Pick() != -1 {
		t.Fatal("all-disabled balancer must report no target")
	}
}

func TestRoundRobinHugeWeightsStayBounded(t *testing.T) {
	rr := NewRoundRobin([]Target{{Addr: "a:1", Weight: 65535}, {Addr: "b:1", Weight: 65534}})
	if len(rr.slots) > maxSlots {
		t.Fatalf("slot sequence not bounded: %d", len(rr.slots))
	}
}

func BenchmarkPick(b *testing.B) {
	rr := NewRoundRobin([]Target{{Addr: "a:1", Weight: 100}, {Addr: "b:1", Weight: 50}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rr.Pick()
	}
}
