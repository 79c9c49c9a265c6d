package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var sniDef = &entityDef{
	typeName:   "sni",
	title:      "SNI",
	collection: "snis",
	desc: "A server name bound to a certificate (Admin API `/snis`): TLS clients asking for this name get that " +
		"certificate. One wildcard is allowed, leftmost or rightmost (`*.example.com`).",
	importHint: "terraform import gatewayd_sni.<name> <id or name>",
	importDoc:  "Import ids: the SNI's `id` or its `name`.",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "name", kind: kString, required: true, desc: "The SNI name to associate with the given certificate."},
		{attr: "certificate_id", api: "certificate", kind: kForeign, required: true,
			desc: "The id (a UUID) of the certificate (`gatewayd_certificate`) with which to associate the SNI hostname."},
		tagsField(),
	},
}

// NewSNIResource is gatewayd_sni.
func NewSNIResource() resource.Resource { return &entityResource{def: sniDef} }
