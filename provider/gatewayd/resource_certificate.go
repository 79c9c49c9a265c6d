package gatewayd

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var certificateDef = &entityDef{
	typeName:   "certificate",
	title:      "certificate",
	collection: "certificates",
	desc: "A TLS certificate and private key the gateway serves (Admin API `/certificates`), optionally with an " +
		"alternate pair of another key type (RSA and ECDSA). Bind server names to it with `gatewayd_sni`. Set " +
		"exactly one of `key` and `key_wo` (write-only: the private key never enters the state).",
	importHint: "terraform import gatewayd_certificate.<name> <id or SNI name>",
	importDoc:  "Import ids: the certificate's `id`, or one of its SNI names (the Admin API resolves `/certificates/{sni}`).",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "cert", kind: kString, required: true, strType: pemType,
			desc: "PEM-encoded public certificate chain of the SSL key pair."},
		{attr: "key", kind: kString, sensitive: true, secret: secretPlain, writeOnly: true, strType: pemType,
			desc: "PEM-encoded private key of the SSL key pair."},
		{attr: "cert_alt", kind: kString, strType: pemType,
			desc: "PEM-encoded public certificate chain of the alternate SSL key pair. Requires `key_alt` or `key_alt_wo`."},
		{attr: "key_alt", kind: kString, sensitive: true, secret: secretPlain, writeOnly: true, strType: pemType,
			desc: "PEM-encoded private key of the alternate SSL key pair."},
		tagsField(),
	},
	validators: func() []resource.ConfigValidator {
		return []resource.ConfigValidator{
			resourcevalidator.ExactlyOneOf(path.MatchRoot("key"), path.MatchRoot("key_wo")),
			resourcevalidator.Conflicting(path.MatchRoot("key_alt"), path.MatchRoot("key_alt_wo")),
		}
	},
}

// NewCertificateResource is gatewayd_certificate.
func NewCertificateResource() resource.Resource { return &entityResource{def: certificateDef} }
