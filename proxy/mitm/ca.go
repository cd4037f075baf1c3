package mitm

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// CA is a certificate authority that signs leaf certificates for
// intercepted hosts. Its private key stays inside: no method returns it and
// Format prints only the certificate's subject, so a CA handed to a logger
// by mistake leaks nothing.
type CA struct {
	cert     *x509.Certificate
	key      crypto.Signer
	certPEM  []byte
	certFile string
	warnings []string
}

// Certificate returns the CA's certificate. Callers must not modify it.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertPEM returns the CA certificate PEM-encoded, ready to hand to a client
// as its trust anchor (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, …).
func (ca *CA) CertPEM() []byte { return ca.certPEM }

// CertFile returns the path the certificate was loaded from, or "" when the
// CA was not read from disk.
func (ca *CA) CertFile() string { return ca.certFile }

// Warnings are the problems found loading the CA that do not stop it
// from being used: a key file its group can read, a CA about to expire.
// Each is a sentence for the log.
func (ca *CA) Warnings() []string { return ca.warnings }

// Format implements fmt.Formatter for every verb, so that %v, %+v, %#v and
// %d on a CA show its subject and never the key's numbers.
func (ca *CA) Format(f fmt.State, _ rune) {
	if ca == nil || ca.cert == nil {
		fmt.Fprint(f, "mitm.CA{}")
		return
	}
	fmt.Fprintf(f, "mitm.CA{%s}", ca.cert.Subject.CommonName)
}

// Load reads a CA from user-given files: a PEM certificate and its PEM
// private key, PKCS#8 ("PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") or PKCS#1
// ("RSA PRIVATE KEY"). The certificate must be a CA allowed to sign
// certificates, and the key must be its key. A key file that any user
// may read is refused (ErrKeyExposed); one its group may read is loaded
// with a warning. The modes are those of the file a symbolic link leads
// to, as a Kubernetes Secret volume links each key to its data.
func Load(certFile, keyFile string) (*CA, error) {
	cert, certPEM, err := readCert(certFile)
	if err != nil {
		return nil, err
	}
	keyWarning, err := checkKeyMode(keyFile)
	if err != nil {
		return nil, err
	}
	key, err := readKey(keyFile)
	if err != nil {
		return nil, err
	}
	if err := checkCA(cert, certFile); err != nil {
		return nil, err
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, &os.PathError{Op: "mitm: load CA key", Path: keyFile, Err: ErrKeyMismatch}
	}
	ca := &CA{cert: cert, key: key, certPEM: certPEM, certFile: certFile}
	if keyWarning != "" {
		ca.warnings = append(ca.warnings, keyWarning)
	}
	if left := time.Until(cert.NotAfter); left < expiryWarning {
		ca.warnings = append(ca.warnings, fmt.Sprintf("the interception CA %s expires on %s; make a new one before then and trust it in its place",
			certFile, cert.NotAfter.Format(time.DateOnly)))
	}
	return ca, nil
}

// expiryWarning is how long before its end a CA loaded is said to expire
// soon.
const expiryWarning = 30 * 24 * time.Hour

// DefaultDir returns where LoadOrCreate keeps the CA unless told otherwise:
// <user config dir>/llm-simulator/ca.
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("mitm: default CA dir: %w", err)
	}
	return filepath.Join(base, "llm-simulator", "ca"), nil
}

// encodeCert PEM-encodes a DER certificate.
func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
