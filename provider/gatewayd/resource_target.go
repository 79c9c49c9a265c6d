package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var targetDef = &entityDef{
	typeName:   "target",
	title:      "target",
	collection: "targets",
	parent:     &parentRef{attr: "upstream_id", collection: "upstreams", nested: "targets"},
	desc: "A target: one backend address of an upstream, with its load-balancing weight (Admin API " +
		"`/upstreams/{upstream}/targets`). Moving a target to another upstream replaces it.",
	importHint: "terraform import gatewayd_target.<name> <upstream id or name>/<target id or address>",
	importDoc: "Import ids: `<upstream>/<target>`, where `<upstream>` is the upstream's id or name and `<target>` the " +
		"target's id or its `host:port` address (targets are unique only within their upstream).",
	fields: []field{
		idField(),
		{attr: "created_at", kind: kFloat, readOnly: true, desc: "Unix epoch when the resource was created, with millisecond precision."},
		{attr: "updated_at", kind: kFloat, readOnly: true, volatile: true, desc: "Unix epoch when the resource was last updated, with millisecond precision."},
		{attr: "upstream_id", api: "upstream", kind: kForeign, required: true, replace: true,
			desc: "The id of the upstream (`gatewayd_upstream`) this target belongs to."},
		{attr: "target", kind: kString, required: true, strType: targetAddressType,
			desc: "The target address (ip or hostname) and port. Without a port, the gateway uses 8000 (`example.com` is stored as `example.com:8000`; both spellings are the same to Terraform)."},
		{attr: "weight", kind: kInt, def: 100.0, between: rng(0, 65535),
			desc: "The weight this target gets within the upstream loadbalancer (0-65535). 0 disables the target."},
		tagsField(),
	},
}

// NewTargetResource is gatewayd_target.
func NewTargetResource() resource.Resource { return &entityResource{def: targetDef} }
