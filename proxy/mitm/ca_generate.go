package mitm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"time"
)

// generateCA makes a new CA key and self-signed certificate. The
// extensions are the ones strict verifiers (Python 3.13's VERIFY_X509_STRICT)
// insist on; Go marks basicConstraints and keyUsage critical and derives the
// SubjectKeyId from the key.
func generateCA() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("mitm: generate CA key: %w", err)
	}
	notBefore := time.Now().Add(-24 * time.Hour) // tolerate clients whose clock is behind
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{Organization: []string{"llm-simulator"}, CommonName: caCommonName()},
		NotBefore:             notBefore,
		NotAfter:              notBefore.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
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
