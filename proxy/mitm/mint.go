package mitm

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"time"
)

// leafLifetime keeps NotBefore to NotAfter within the 397 days browsers and
// Apple platforms accept for a server certificate.
const leafLifetime = 396 * 24 * time.Hour

// mint signs a new leaf certificate for the DNS name with the CA.
func (l *Leaves) mint(name string) (*tls.Certificate, error) {
	// Back-dated a day for clients whose clock is behind.
	notBefore := l.now().Add(-24 * time.Hour)
	notAfter := notBefore.Add(leafLifetime)
	if caEnd := l.ca.cert.NotAfter; notAfter.After(caEnd) {
		notAfter = caEnd
	}
	tmpl := &x509.Certificate{
		SerialNumber:   randomSerial(),
		Subject:        pkix.Name{CommonName: name},
		DNSNames:       []string{name},
		NotBefore:      notBefore,
		NotAfter:       notAfter,
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AuthorityKeyId: l.ca.cert.SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, l.ca.cert, l.key.Public(), l.ca.key)
	if err != nil {
		return nil, fmt.Errorf("mitm: mint leaf for %q: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mitm: parse leaf for %q: %w", name, err)
	}
	l.minted.Add(1)
	return &tls.Certificate{
		Certificate: append([][]byte{der}, l.chain...),
		PrivateKey:  l.key,
		Leaf:        leaf,
	}, nil
}
