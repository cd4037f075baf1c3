package mitm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
)

func TestLoadOrCreateGeneratesStrictCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "llm-simulator", "ca")
	ca, err := LoadOrCreate(dir, testSpec)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o700}, {filepath.Join(dir, CertFileName), 0o644}, {filepath.Join(dir, KeyFileName), 0o600}} {
		info, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != f.mode {
			t.Errorf("%s: mode %o, want %o", f.path, got, f.mode)
		}
	}
	cert := ca.Certificate()
	for _, oid := range []asn1.ObjectIdentifier{oidBasicConstraints, oidKeyUsage} {
		if ext := findExtension(cert, oid); ext == nil || !ext.Critical {
			t.Errorf("extension %v missing or not critical", oid)
		}
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 || len(cert.SubjectKeyId) == 0 {
		t.Errorf("IsCA %v, KeyUsage %b, SubjectKeyId %x", cert.IsCA, cert.KeyUsage, cert.SubjectKeyId)
	}
	if _, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("CA key is %T, want ECDSA", cert.PublicKey)
	}
	if !strings.HasPrefix(cert.Subject.CommonName, "llm-simulator local CA ") || cert.SerialNumber.BitLen() < 100 {
		t.Errorf("CN %q, serial %d bits", cert.Subject.CommonName, cert.SerialNumber.BitLen())
	}
	if life := time.Until(cert.NotAfter); time.Since(cert.NotBefore) < 23*time.Hour || life < 364*24*time.Hour || life > DefaultValidity {
		t.Errorf("validity %s to %s", cert.NotBefore, cert.NotAfter)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(dir, KeyFileName))
	if block, _ := pem.Decode(keyPEM); block == nil || block.Type != "PRIVATE KEY" {
		t.Errorf("key file is not a PKCS#8 PEM")
	}
	if ca.CertFile() != filepath.Join(dir, CertFileName) || !bytes.Contains(ca.CertPEM(), []byte("BEGIN CERTIFICATE")) {
		t.Errorf("CertFile %q, CertPEM %q", ca.CertFile(), ca.CertPEM())
	}
}

func TestLoadOrCreateReloadsSameCA(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreate(dir, testSpec)
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadOrCreate(dir, Spec{Hosts: []string{"other.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Certificate().Equal(second.Certificate()) {
		t.Error("reloading the directory gave a different CA, though asked for other hosts")
	}
	other, err := LoadOrCreate(t.TempDir(), testSpec)
	if err != nil {
		t.Fatal(err)
	}
	if other.Certificate().Subject.CommonName == first.Certificate().Subject.CommonName {
		t.Error("two generated CAs share a common name")
	}
}

func TestLoadOrCreateLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreate(dir, testSpec); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want ca.pem and ca-key.pem: %v", len(entries), entries)
	}
}

func TestCAFormatHidesKey(t *testing.T) {
	ca, _ := newTestLeaves(t, 1)
	d := ca.key.(*ecdsa.PrivateKey).D
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		out := fmt.Sprintf(verb, ca)
		if strings.Contains(out, d.String()) || strings.Contains(out, d.Text(16)) || !strings.Contains(out, "mitm.CA{") {
			t.Errorf("%s printed %q", verb, out)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	base, err := os.UserConfigDir()
	if err != nil {
		t.Skip("no user config dir:", err)
	}
	dir, err := DefaultDir()
	if err != nil || dir != filepath.Join(base, "llm-simulator", "ca") {
		t.Errorf("DefaultDir() = %q, %v", dir, err)
	}
}

func findExtension(cert *x509.Certificate, oid asn1.ObjectIdentifier) *pkix.Extension {
	for i := range cert.Extensions {
		if cert.Extensions[i].Id.Equal(oid) {
			return &cert.Extensions[i]
		}
	}
	return nil
}
