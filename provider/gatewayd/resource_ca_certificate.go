package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var caCertificateDef = &entityDef{
	typeName:   "ca_certificate",
	title:      "CA certificate",
	collection: "ca_certificates",
	desc: "A trusted CA certificate, used to verify upstream servers' certificates (Admin API `/ca_certificates`); " +
		"services list the ids in `ca_certificates`. It must carry the CA basic constraint and not be expired.",
	importHint: "terraform import gatewayd_ca_certificate.<name> <id>",
	importDoc:  "Import ids: the CA certificate's `id`.",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "cert", kind: kString, required: true, strType: pemType, desc: "PEM-encoded public certificate of the CA."},
		{attr: "cert_digest", kind: kString, readOnly: true, dependsOn: []string{"cert"},
			desc: "SHA256 hex digest of the public certificate, computed by the gateway."},
		tagsField(),
	},
}

// NewCACertificateResource is gatewayd_ca_certificate.
func NewCACertificateResource() resource.Resource { return &entityResource{def: caCertificateDef} }
