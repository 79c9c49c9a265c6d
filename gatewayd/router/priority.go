package router

import (
	"cmp"
	"slices"
	"strings"
)

// priority is Kong's traditional_compatible route priority, the 64-bit value
// built by get_priority in kong/router/transform.lua, kept as fields instead
// of packed bits. From most to least significant:
//
//	weight        number of attribute kinds set (methods, hosts, headers, paths, snis)
//	plainHostOnly the route has hosts and none of them is a wildcard
//	headerCount   number of configured header names (capped at 255)
//	regex         the (split) path is a regex
//	regexPriority the route's regex_priority, for regex paths only
//	plainLen      the length of a plain path (masked to 19 bits like Kong)
//
// Keeping fields rather than bits lets a negative regex_priority simply rank
// below 0; in Kong's packing a negative value would spill into the higher
// fields.
type priority struct {
	weight        int
	plainHostOnly bool
	headerCount   int
	regex         bool
	regexPriority int
	plainLen      int
}

const (
	maxHeaderCount = 255
	maxPlainLen    = 0x7FFFF
)

// basePriority computes the path-independent part of a route's priority;
// compileRoute fills in the path fields for each split entry.
func basePriority(rt *Route) priority {
	var p priority
	for _, set := range []bool{len(rt.Methods) > 0, len(rt.Hosts) > 0, len(rt.Headers) > 0, len(rt.SNIs) > 0, len(rt.Paths) > 0} {
		if set {
			p.weight++
		}
	}
	p.headerCount = min(len(rt.Headers), maxHeaderCount)
	p.plainHostOnly = len(rt.Hosts) > 0
	for _, h := range rt.Hosts {
		if strings.Contains(h, "*") {
			p.plainHostOnly = false
			break
		}
	}
	return p
}

// compare orders priorities from best to worst: negative when p beats q.
func (p priority) compare(q priority) int {
	if c := cmp.Compare(q.weight, p.weight); c != 0 {
		return c
	}
	if c := compareBool(q.plainHostOnly, p.plainHostOnly); c != 0 {
		return c
	}
	if c := cmp.Compare(q.headerCount, p.headerCount); c != 0 {
		return c
	}
	if c := compareBool(q.regex, p.regex); c != 0 {
		return c
	}
	if c := cmp.Compare(q.regexPriority, p.regexPriority); c != 0 {
		return c
	}
	return cmp.Compare(q.plainLen, p.plainLen)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// category is the set of attribute kinds a route uses, with the bit values
// of Kong's traditional router (kong/router/traditional.lua MATCH_RULES).
// Between equal priorities Kong's ATC router picks the highest route uuid;
// gatewayd instead breaks such ties like the traditional router orders its
// categories (HOST > HEADER > URI > METHOD > SNI), which keeps the outcomes
// Kong's own specs expect (a wildcard-host-only route beats a method-only
// route) without depending on ids.
type category uint8

const (
	categoryHost   category = 0x40
	categoryHeader category = 0x20
	categoryURI    category = 0x10
	categoryMethod category = 0x08
	categorySNI    category = 0x04
)

func routeCategory(rt *Route) category {
	var c category
	for _, k := range []struct {
		set bool
		bit category
	}{
		{len(rt.Hosts) > 0, categoryHost},
		{len(rt.Headers) > 0, categoryHeader},
		{len(rt.Paths) > 0, categoryURI},
		{len(rt.Methods) > 0, categoryMethod},
		{len(rt.SNIs) > 0, categorySNI},
	} {
		if k.set {
			c |= k.bit
		}
	}
	return c
}

// Rank keys. Every entry gets a key; lower keys win. The key packs
//
//	class (bits 33+)  dense rank of (Kong priority, category): entries that
//	                  tie on both share it
//	port  (bit 32)    cleared at match time when the request port matched a
//	                  route host that names a port explicitly
//	rank  (bits 0-31) position in the total order below, unique per entry
//
// so that, within a class, a route host with an explicit matching port is
// preferred (kong-compat §3.2; Kong's ATC router gets it from uuid order in
// its own specs), and remaining ties go to the older created_at, then the
// smaller id, then input order.
const (
	portBit    = uint64(1) << 32
	classShift = 33
	noMatch    = ^uint64(0)
)

// rankEntries sorts entries into their final order and assigns keys.
func rankEntries(entries []entry) {
	// Sort indices rather than the (large) entries themselves.
	order := make([]int32, len(entries))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		return compareEntries(&entries[i], &entries[j])
	})
	sorted := make([]entry, len(entries))
	for i, j := range order {
		sorted[i] = entries[j]
	}
	copy(entries, sorted)

	class := uint64(0)
	for i := range entries {
		if i > 0 && (entries[i].prio != entries[i-1].prio || entries[i].category != entries[i-1].category) {
			class++
		}
		entries[i].key = class<<classShift | portBit | uint64(i)
	}
}

// compareEntries is the total order of entries, best first: Kong priority,
// category, created_at, id, then input position (unique per entry).
func compareEntries(a, b *entry) int {
	if c := a.prio.compare(b.prio); c != 0 {
		return c
	}
	if c := cmp.Compare(b.category, a.category); c != 0 {
		return c
	}
	if c := cmp.Compare(a.route.CreatedAt, b.route.CreatedAt); c != 0 {
		return c
	}
	if c := strings.Compare(a.route.ID, b.route.ID); c != 0 {
		return c
	}
	if c := cmp.Compare(a.routeIdx, b.routeIdx); c != 0 {
		return c
	}
	return cmp.Compare(a.pathIdx, b.pathIdx)
}
