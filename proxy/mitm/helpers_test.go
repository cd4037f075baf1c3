package mitm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testSpec is the CA the tests make: two providers' hosts, and a glob
// whose subtree is example.com.
var testSpec = Spec{Hosts: []string{"api.openai.com", "api.anthropic.com", "*.example.com"}}

// newTestLeaves returns a fresh CA for testSpec in a temporary directory
// and a Leaves minting from it.
func newTestLeaves(t testing.TB, size int) (*CA, *Leaves) {
	t.Helper()
	ca, err := LoadOrCreate(t.TempDir(), testSpec)
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := NewLeaves(ca, size)
	if err != nil {
		t.Fatal(err)
	}
	return ca, leaves
}

// pool returns a cert pool trusting only ca.
func pool(ca *CA) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Certificate())
	return p
}

// caTemplate is a minimal CA as another tool (openssl, mkcert) might make.
func caTemplate(isCA bool) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour * 30),
		IsCA:                  isCA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
}

// writeCA writes a self-signed certificate for key and the key PEM-encoded
// with keyType into dir, and returns the two paths.
func writeCA(t *testing.T, dir string, key crypto.Signer, keyType string, isCA bool) (certFile, keyFile string) {
	t.Helper()
	tmpl := caTemplate(isCA)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, CertFileName), filepath.Join(dir, KeyFileName)
	writeFile(t, certFile, encodeCert(der))
	writeFile(t, keyFile, encodeKey(t, key, keyType))
	return certFile, keyFile
}

func encodeKey(t *testing.T, key crypto.Signer, keyType string) []byte {
	t.Helper()
	var der []byte
	var err error
	switch keyType {
	case "PRIVATE KEY":
		der, err = x509.MarshalPKCS8PrivateKey(key)
	case "EC PRIVATE KEY":
		der, err = x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
	case "RSA PRIVATE KEY":
		der = x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))
	default:
		t.Fatalf("unknown key type %q", keyType)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: keyType, Bytes: der})
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
