package mitm

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// rsaKey is generated once: a 2048-bit key takes a while under -race.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

// TestLoadKeyFormats loads CAs made by other tools in each key encoding
// they write and mints a leaf that verifies against the CA.
func TestLoadKeyFormats(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name    string
		key     func(t *testing.T) crypto.Signer
		keyType string
	}{
		{"ECDSA PKCS#8", func(t *testing.T) crypto.Signer { return newECKey(t) }, "PRIVATE KEY"},
		{"ECDSA SEC1", func(t *testing.T) crypto.Signer { return newECKey(t) }, "EC PRIVATE KEY"},
		{"RSA PKCS#1", func(*testing.T) crypto.Signer { return rsaKey() }, "RSA PRIVATE KEY"},
		{"RSA PKCS#8", func(*testing.T) crypto.Signer { return rsaKey() }, "PRIVATE KEY"},
		{"Ed25519 PKCS#8", func(*testing.T) crypto.Signer { return ed }, "PRIVATE KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certFile, keyFile := writeCA(t, t.TempDir(), tt.key(t), tt.keyType, true)
			ca, err := Load(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			if ca.CertFile() != certFile {
				t.Errorf("CertFile() = %q, want %q", ca.CertFile(), certFile)
			}
			leaves, err := NewLeaves(ca, 0)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := leaves.Get("api.anthropic.com")
			if err != nil {
				t.Fatal(err)
			}
			_, err = cert.Leaf.Verify(x509.VerifyOptions{DNSName: "api.anthropic.com", Roots: pool(ca)})
			if err != nil {
				t.Errorf("leaf from a %s CA does not verify: %v", tt.name, err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	certFile, _ := writeCA(t, t.TempDir(), newECKey(t), "PRIVATE KEY", true)
	missing := certFile + ".nope"
	_, err := Load(certFile, missing)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load with a missing key file: %v", err)
	}
}

// TestLoadIntermediateCA checks that a CA signed by another root sends
// itself after the leaf, so a client trusting only the root gets a path.
func TestLoadIntermediateCA(t *testing.T) {
	rootKey, midKey := newECKey(t), newECKey(t)
	root := caTemplate(true)
	mid := caTemplate(true)
	mid.Subject.CommonName = "test intermediate"
	der, err := x509.CreateCertificate(rand.Reader, mid, root, midKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "mid.pem"), filepath.Join(dir, "mid-key.pem")
	writeFile(t, certFile, encodeCert(der))
	writeFile(t, keyFile, encodeKey(t, midKey, "EC PRIVATE KEY"))
	ca, err := Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := NewLeaves(ca, 0)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := leaves.Get("api.openai.com")
	if err != nil {
		t.Fatal(err)
	}
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	rootCert, _ := x509.ParseCertificate(rootDER)
	roots.AddCert(rootCert)
	for _, c := range cert.Certificate[1:] {
		parsed, _ := x509.ParseCertificate(c)
		inters.AddCert(parsed)
	}
	opts := x509.VerifyOptions{DNSName: "api.openai.com", Roots: roots, Intermediates: inters}
	if _, err := cert.Leaf.Verify(opts); err != nil || len(cert.Certificate) != 2 {
		t.Errorf("chain of %d does not reach the root: %v", len(cert.Certificate), err)
	}
}
