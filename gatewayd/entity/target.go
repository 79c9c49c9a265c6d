package entity

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// TargetDefaultPort is appended to targets given without a port (Kong's
// kong/db/dao/targets.lua DEFAULT_PORT).
const TargetDefaultPort = 8000

// Targets are the backends of an upstream (kong/db/schema/entities/targets.lua).
func Targets() *schema.Entity {
	created := schema.CreatedAt()
	created.Kind = schema.Number
	updated := schema.UpdatedAt()
	updated.Kind = schema.Number
	return &schema.Entity{
		Name:          "targets",
		EndpointKey:   "target",
		CacheKey:      []string{"upstream", "target"},
		DisabledAdmin: []string{"collection", "entity", "parent:upstream"},
		Fields: []*schema.Field{
			schema.ID(),
			created,
			updated,
			{Name: "upstream", Kind: schema.Foreign, Reference: "upstreams", Required: true, OnDelete: "cascade",
				Description: "The unique identifier or the name of the upstream for which to update the target."},
			{Name: "target", Kind: schema.String, Required: true, Custom: validateTarget,
				Description: "The target address (ip or hostname) and port."},
			{Name: "weight", Kind: schema.Integer, Default: 100.0, Between: &schema.Range{Min: 0, Max: 65535},
				Description: "The weight this target gets within the upstream loadbalancer (0-65535)."},
			schema.Tags(),
		},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			if t, ok := doc["target"].(string); ok && validateTarget(t) == "" {
				doc["target"] = FormatTarget(t)
			}
		},
	}
}

func validateTarget(v any) string {
	if _, err := schema.ParseHostPort(v.(string)); err != "" {
		return "Invalid target; not a valid hostname or ip address"
	}
	return ""
}

// FormatTarget normalizes host[:port] to always carry a port (IPv6 in
// brackets), e.g. "konghq.test" -> "konghq.test:8000".
func FormatTarget(t string) string {
	hp, err := schema.ParseHostPort(t)
	if err != "" {
		return t
	}
	port := hp.Port
	if port < 0 {
		port = TargetDefaultPort
	}
	host := hp.Host
	if hp.Type == "ipv6" {
		if a, err := netip.ParseAddr(host); err == nil {
			host = "[" + a.String() + "]"
		}
	}
	return host + ":" + strconv.Itoa(port)
}

// SplitTarget returns the host and port of a formatted target.
func SplitTarget(t string) (string, int) {
	i := strings.LastIndexByte(t, ':')
	if i < 0 {
		return t, TargetDefaultPort
	}
	p, _ := strconv.Atoi(t[i+1:])
	return strings.Trim(t[:i], "[]"), p
}
