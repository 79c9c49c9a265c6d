package iprestriction

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// The compiled ranges answer exactly what a scan over the prefixes would,
// for overlapping, nested, adjacent, IPv4, IPv6 and mapped entries.
func TestIPSetMatchesPrefixScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randAddr := func() netip.Addr {
		if rng.IntN(2) == 0 {
			// A small IPv4 space so ranges overlap and touch often.
			return netip.AddrFrom4([4]byte{10, 0, byte(rng.IntN(4)), byte(rng.IntN(256))})
		}
		var b [16]byte
		b[0], b[1] = 0x20, 0x01
		b[14], b[15] = byte(rng.IntN(4)), byte(rng.IntN(256))
		return netip.AddrFrom16(b)
	}
	for round := 0; round < 200; round++ {
		var entries []any
		var prefixes []netip.Prefix
		for i := 0; i < 1+rng.IntN(12); i++ {
			a := randAddr()
			bits := a.BitLen() - rng.IntN(11)
			p := netip.PrefixFrom(a, bits)
			entries = append(entries, p.String())
			prefixes = append(prefixes, p.Masked())
			if rng.IntN(4) == 0 && a.Is4() {
				// The same range written as IPv4-mapped IPv6.
				entries = append(entries, netip.PrefixFrom(netip.AddrFrom16(a.As16()), bits+96).String())
			}
		}
		set := compile(entries)
		for i := 0; i < 300; i++ {
			ip := randAddr()
			want := false
			for _, p := range prefixes {
				want = want || p.Contains(ip)
			}
			if got := set.contains(ip); got != want {
				t.Fatalf("entries %v: contains(%s) = %v, want %v (ranges %v)", entries, ip, got, want, set.ranges)
			}
		}
	}
}

func TestIPSetEdges(t *testing.T) {
	set := compile([]any{"10.0.0.0/31", "10.0.0.2", "10.0.0.4/30", "255.255.255.255", "::/127", "0.0.0.0/32"})
	for ip, want := range map[string]bool{
		"10.0.0.0": true, "10.0.0.1": true, "10.0.0.2": true, "10.0.0.3": false, "10.0.0.4": true, "10.0.0.7": true,
		"10.0.0.8": false, "255.255.255.255": true, "255.255.255.254": false, "0.0.0.0": true, "0.0.0.1": false,
		"::": true, "::1": true, "::2": false, "::ffff:10.0.0.2": false, // callers unmap first
	} {
		if got := set.contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("contains(%s) = %v, want %v", ip, got, want)
		}
	}
	if compile([]any{}) != nil || compile(nil) != nil {
		t.Error("empty lists must compile to nil")
	}
}
