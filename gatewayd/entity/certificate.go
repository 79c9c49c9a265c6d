package entity

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Certificates are TLS certificate/key pairs (kong/db/schema/entities/certificates.lua).
// snis is transient: it is accepted and rendered, but stored as SNI entities.
func Certificates() *schema.Entity {
	return &schema.Entity{
		Name: "certificates",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			{Name: "cert", Kind: schema.String, Required: true, Custom: validateCertPEM,
				Description: "PEM-encoded public certificate chain of the SSL key pair."},
			{Name: "key", Kind: schema.String, Required: true, Sensitive: true, Custom: validateKeyPEM,
				Description: "PEM-encoded private key of the SSL key pair."},
			{Name: "cert_alt", Kind: schema.String, Custom: validateCertPEM,
				Description: "PEM-encoded public certificate chain of the alternate SSL key pair."},
			{Name: "key_alt", Kind: schema.String, Sensitive: true, Custom: validateKeyPEM,
				Description: "PEM-encoded private key of the alternate SSL key pair."},
			schema.Tags(),
			{Name: "snis", Kind: schema.Array, Transient: true, Elements: &schema.Field{Kind: schema.String},
				Description: "A list of SNI names (wildcards allowed) to associate with this certificate."},
		},
		Checks: []schema.Check{
			schema.MutuallyRequired{"cert_alt", "key_alt"},
			&schema.CustomCheck{Reads: []string{"cert", "key"}, Fn: checkCertificatePair},
			&schema.CustomCheck{Reads: []string{"cert_alt", "key_alt"}, Fn: checkAltCertificatePair},
			&schema.CustomCheck{Reads: []string{"cert", "cert_alt"}, Fn: checkCertificateTypes},
		},
	}
}

func validateCertPEM(v any) string {
	if _, err := parseCertPEM(v.(string)); err != "" {
		return "invalid certificate: " + err
	}
	return ""
}

func validateKeyPEM(v any) string {
	block, _ := pem.Decode([]byte(v.(string)))
	if block == nil {
		return "invalid key: unable to parse PEM"
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return ""
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return ""
	}
	if _, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return ""
	}
	return "invalid key: unsupported key format"
}

func parseCertPEM(s string) (*x509.Certificate, string) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, "unable to parse PEM certificate"
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err.Error()
	}
	return c, ""
}

func keyType(c *x509.Certificate) string {
	switch c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "rsa"
	case *ecdsa.PublicKey:
		return "ec"
	case ed25519.PublicKey:
		return "ed25519"
	}
	return "other"
}

// checkCertificatePair is Kong's "certificate does not match key" check.
func checkCertificatePair(doc schema.Doc, errs schema.Errors) {
	cert, _ := doc["cert"].(string)
	key, _ := doc["key"].(string)
	if _, err := tls.X509KeyPair([]byte(cert), []byte(key)); err != nil {
		errs.AddEntity("certificate does not match key")
	}
}

// checkAltCertificatePair checks the alternate pair, when both are set.
func checkAltCertificatePair(doc schema.Doc, errs schema.Errors) {
	certAlt, ok1 := doc["cert_alt"].(string)
	keyAlt, ok2 := doc["key_alt"].(string)
	if !ok1 || !ok2 {
		return
	}
	if _, err := tls.X509KeyPair([]byte(certAlt), []byte(keyAlt)); err != nil {
		errs.AddEntity("alternative certificate does not match key")
	}
}

// checkCertificateTypes requires the alternate certificate to use another
// key type than the main one (RSA vs ECDSA).
func checkCertificateTypes(doc schema.Doc, errs schema.Errors) {
	cert, _ := doc["cert"].(string)
	certAlt, ok := doc["cert_alt"].(string)
	if !ok {
		return
	}
	c1, _ := parseCertPEM(cert)
	c2, _ := parseCertPEM(certAlt)
	if c1 != nil && c2 != nil && keyType(c1) == keyType(c2) {
		errs.AddEntity("certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type")
	}
}

// SNIs bind a server name to a certificate (kong/db/schema/entities/snis.lua).
func SNIs() *schema.Entity {
	return &schema.Entity{
		Name:          "snis",
		EndpointKey:   "name",
		DisabledAdmin: []string{"parent:certificate"},
		Fields: []*schema.Field{
			schema.ID(),
			withDesc(withRequired(unique(schema.WildcardHost("name"))), "The SNI name to associate with the given certificate."),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			schema.Tags(),
			{Name: "certificate", Kind: schema.Foreign, Reference: "certificates", Required: true, OnDelete: "cascade",
				Description: "The id (a UUID) of the certificate with which to associate the SNI hostname."},
		},
	}
}

// CACertificates are trusted CAs for upstream TLS verification
// (kong/db/schema/entities/ca_certificates.lua).
func CACertificates() *schema.Entity {
	return &schema.Entity{
		Name: "ca_certificates",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			{Name: "cert", Kind: schema.String, Required: true, Custom: validateCertPEM,
				Description: "PEM-encoded public certificate of the CA."},
			{Name: "cert_digest", Kind: schema.String, Unique: true,
				Description: "SHA256 hex digest of the public certificate. This field is read-only and it cannot be set by the caller, the value is automatically computed."},
			schema.Tags(),
		},
		// kong/db/schema/entities/ca_certificates.lua: an entity check, so
		// its errors are entity-level ("@entity").
		Checks: []schema.Check{&schema.CustomCheck{Reads: []string{"cert"}, Fn: checkCACert}},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			if cert, ok := doc["cert"].(string); ok {
				if block, _ := pem.Decode([]byte(cert)); block != nil {
					sum := sha256.Sum256(block.Bytes)
					doc["cert_digest"] = hex.EncodeToString(sum[:])
				}
			}
		},
	}
}

func checkCACert(doc schema.Doc, errs schema.Errors) {
	s, _ := doc["cert"].(string)
	if strings.Count(s, "-----BEGIN CERTIFICATE-----") > 1 {
		errs.AddEntity("please submit only one certificate at a time")
		return
	}
	c, err := parseCertPEM(s)
	if err != "" {
		return // the field reports it
	}
	if time.Now().After(c.NotAfter) {
		errs.AddEntity("certificate expired, \"Not After\" time is in the past")
		return
	}
	if !c.BasicConstraintsValid || !c.IsCA {
		errs.AddEntity("certificate does not appear to be a CA because it is missing the \"CA\" basic constraint")
	}
}
