// Package iprestriction is Kong's ip-restriction plugin: requests from
// denied addresses, or from addresses outside a non-empty allow list, are
// answered with status (403) and message ("IP address not allowed: <ip>").
// The deny list wins over the allow list.
package iprestriction

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "ip-restriction",
		Priority:    990,
		Description: "Allow or deny requests by client IP address or CIDR range.",
		Config:      configFields,
		Checks:      checks,
		Protocols:   protocols,
		New:         New,
	})
}

// restriction is one compiled ip-restriction instance.
type restriction struct {
	allow, deny *ipSet // nil when the list is null or empty
	status      int
	message     string // "" = "IP address not allowed: <ip>"
}

// New compiles the allow and deny lists once.
func New(env *plugin.Env) (any, error) {
	r := &restriction{status: 403}
	r.allow = compile(env.Config["allow"])
	r.deny = compile(env.Config["deny"])
	if s, ok := env.Config["status"].(float64); ok {
		r.status = int(s)
	}
	if m, ok := env.Config["message"].(string); ok {
		r.message = m
	}
	return r, nil
}

// Access applies Kong's order: a denied address is rejected even when it
// is also allowed; with an allow list, any other address is rejected.
func (r *restriction) Access(c *plugin.Context) {
	ip := c.ClientIP()
	if !ip.IsValid() {
		r.exit(c, 403, "Cannot identify the client IP address, unix domain sockets are not supported.")
		return
	}
	ip = ip.Unmap().WithZone("")
	if r.deny != nil && r.deny.contains(ip) {
		r.reject(c)
		return
	}
	if r.allow != nil && !r.allow.contains(ip) {
		r.reject(c)
	}
}

func (r *restriction) reject(c *plugin.Context) {
	msg := r.message
	if msg == "" {
		msg = "IP address not allowed: " + c.ClientIPString()
	}
	r.exit(c, r.status, msg)
}

func (r *restriction) exit(c *plugin.Context, status int, msg string) {
	c.Logger().Warn(msg, "plugin", "ip-restriction")
	c.Error(status, msg)
}

// ipSet matches addresses against IPs and CIDR ranges, compiled into
// sorted, merged address ranges searched in O(log n). IPv4-mapped IPv6
// entries are stored as IPv4, so ::ffff:10.0.0.1 and 10.0.0.1 are the same
// address.
type ipSet struct {
	ranges []ipRange
}

type ipRange struct{ first, last netip.Addr }

func compile(v any) *ipSet {
	list, _ := v.([]any)
	var ranges []ipRange
	for _, e := range list {
		str, _ := e.(string)
		var p netip.Prefix
		if strings.Contains(str, "/") {
			var err error
			if p, err = netip.ParsePrefix(str); err != nil {
				continue // rejected by the schema
			}
		} else {
			a, err := netip.ParseAddr(str)
			if err != nil {
				continue
			}
			p = netip.PrefixFrom(a.WithZone(""), a.BitLen())
		}
		if a := p.Addr(); a.Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				// Wider than ::ffff:0:0/96: all of IPv4 plus IPv6 space.
				ranges = append(ranges, prefixRange(netip.PrefixFrom(netip.IPv4Unspecified(), 0)))
			} else {
				p = netip.PrefixFrom(a.Unmap(), bits)
			}
		}
		ranges = append(ranges, prefixRange(p.Masked()))
	}
	if len(ranges) == 0 {
		return nil
	}
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].first.Less(ranges[j].first) })
	merged := ranges[:1]
	for _, r := range ranges[1:] {
		cur := &merged[len(merged)-1]
		next := cur.last.Next()
		if r.first.BitLen() == cur.last.BitLen() && (!next.IsValid() || !next.Less(r.first)) {
			if cur.last.Less(r.last) {
				cur.last = r.last
			}
			continue
		}
		merged = append(merged, r)
	}
	return &ipSet{ranges: merged}
}

// prefixRange returns the first and last address of a masked prefix.
func prefixRange(p netip.Prefix) ipRange {
	first := p.Addr()
	b := first.As16()
	host := first.BitLen() - p.Bits()
	for i := 15; i >= 0 && host > 0; i-- {
		n := min(host, 8)
		b[i] |= byte(1<<n - 1)
		host -= n
	}
	last := netip.AddrFrom16(b)
	if first.Is4() {
		last = last.Unmap()
	}
	return ipRange{first, last}
}

func (s *ipSet) contains(ip netip.Addr) bool {
	// The last range starting at or before ip.
	i := sort.Search(len(s.ranges), func(i int) bool { return ip.Less(s.ranges[i].first) }) - 1
	if i < 0 {
		return false
	}
	r := s.ranges[i]
	return r.first.BitLen() == ip.BitLen() && !r.last.Less(ip)
}

var _ plugin.Accessor = (*restriction)(nil)
