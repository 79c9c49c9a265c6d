package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/conf"
)

// loadOrCreateCert returns the configured certificate of a listener group,
// or a self-signed default kept under <prefix>/ssl (as Kong does), created
// on first use with 0600 permissions.
func loadOrCreateCert(cfg *conf.Config, group string, certs, keys []string) (*tls.Certificate, error) {
	if len(certs) > 0 && len(keys) > 0 {
		certPEM, err := conf.ReadPEM(certs[0])
		if err != nil {
			return nil, fmt.Errorf("%s certificate: %w", group, err)
		}
		keyPEM, err := conf.ReadPEM(keys[0])
		if err != nil {
			return nil, fmt.Errorf("%s certificate key: %w", group, err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("%s certificate: %w", group, err)
		}
		return &pair, nil
	}
	certFile, keyFile := cfg.DefaultCert(group)
	if pair, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return &pair, nil
	}
	certPEM, keyPEM, err := selfSigned()
	if err != nil {
		return nil, fmt.Errorf("generating the default %s certificate: %w", group, err)
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	return &pair, err
}

func selfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"gatewayd"}},
		DNSNames:              []string{"localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}
