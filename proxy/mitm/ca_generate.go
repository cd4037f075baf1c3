package mitm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// generateCA makes a new CA key and self-signed certificate for spec. The
// extensions are the ones strict verifiers (Python 3.13's VERIFY_X509_STRICT)
// insist on; Go marks basicConstraints and keyUsage critical and derives the
// SubjectKeyId from the key. On top of them, what keeps the key from
// impersonating any other site: critical name constraints permitting the
// subtrees of spec.Hosts and excluding every IP address, no intermediate
// below it (path length zero), and server authentication as its only
// extended key usage, so no client, code-signing or mail certificate it
// signs is honoured either.
func generateCA(spec Spec) (certPEM, keyPEM []byte, err error) {
	permitted, err := permittedSubtrees(spec.Hosts)
	if err != nil {
		return nil, nil, err
	}
	if len(permitted) == 0 {
		return nil, nil, errors.New("mitm: a CA needs at least one host to permit")
	}
	validity := spec.Validity
	if validity <= 0 {
		validity = DefaultValidity
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("mitm: generate CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:                randomSerial(),
		Subject:                     pkix.Name{Organization: []string{"llm-simulator"}, CommonName: caCommonName()},
		NotBefore:                   now.Add(-24 * time.Hour), // tolerate clients whose clock is behind
		NotAfter:                    now.Add(validity),
		IsCA:                        true,
		BasicConstraintsValid:       true,
		MaxPathLenZero:              true,
		KeyUsage:                    x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:                 []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         permitted,
		ExcludedIPRanges:            []*net.IPNet{allIPv4, allIPv6},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("mitm: create CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("mitm: encode CA key: %w", err)
	}
	return encodeCert(der), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// The IP ranges a CA of ours excludes: all of them.
var (
	allIPv4 = &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
	allIPv6 = &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
)

// caCommonName makes every CA's name distinct, so a user who trusts two
// machines' CAs, or regenerates one, can tell them apart.
func caCommonName() string {
	host, _ := os.Hostname()
	if len(host) > 24 { // keep the CN within X.520's 64 characters
		host = host[:24]
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	if host == "" {
		return "llm-simulator local CA " + hex.EncodeToString(suffix)
	}
	return "llm-simulator local CA " + host + " " + hex.EncodeToString(suffix)
}

// randomSerial returns a random 128-bit serial number.
func randomSerial() *big.Int {
	b := make([]byte, 16)
	rand.Read(b) // crypto/rand.Read never fails
	b[0] &= 0x7f // keep the DER integer positive without a padding byte
	return new(big.Int).SetBytes(b)
}
