package mitm

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Errors a CA that cannot be used wraps, inside an *os.PathError that names
// the offending file.
var (
	ErrNotCA          = errors.New("certificate is not a CA allowed to sign certificates")
	ErrKeyMismatch    = errors.New("private key is not the CA certificate's key")
	ErrExpired        = errors.New("CA certificate is outside its validity period")
	ErrNotPEM         = errors.New("no PEM block of the expected type")
	ErrUnsupportedKey = errors.New("unsupported private key (want ECDSA, RSA or Ed25519)")
	ErrKeyExposed     = errors.New("CA private key file is readable by every user")
)

// checkKeyMode refuses a key file every user may read and warns of one
// its group may read: whoever reads the key can mint certificates the
// clients trusting the CA believe. It follows symbolic links. Windows has
// no such mode bits to look at.
func checkKeyMode(file string) (warning string, err error) {
	if runtime.GOOS == "windows" {
		return "", nil
	}
	info, err := os.Stat(file)
	if err != nil {
		return "", fmt.Errorf("mitm: %w", err)
	}
	mode := info.Mode().Perm()
	switch {
	case mode&0o004 != 0:
		return "", &os.PathError{Op: "mitm: load CA key", Path: file,
			Err: fmt.Errorf("%w (mode %04o): make it readable by its owner alone (chmod 600; in Kubernetes, a Secret volume's defaultMode: 0400)", ErrKeyExposed, mode)}
	case mode&0o040 != 0:
		return fmt.Sprintf("the interception CA key %s is readable by its group (mode %04o): any process of that group that can reach the file can mint certificates your clients trust. "+
			"chmod 600; in Kubernetes, where fsGroup adds group read to a Secret's files, mount the CA Secret in llm-simulator's container alone", file, mode), nil
	}
	return "", nil
}

// readCert reads the first CERTIFICATE block of a PEM file.
func readCert(file string) (*x509.Certificate, []byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("mitm: %w", err)
	}
	block := firstBlock(data, "CERTIFICATE")
	if block == nil {
		return nil, nil, &os.PathError{Op: "mitm: load CA certificate", Path: file, Err: ErrNotPEM}
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, &os.PathError{Op: "mitm: load CA certificate", Path: file, Err: err}
	}
	return cert, pem.EncodeToMemory(block), nil
}

// readKey reads a private key in any of the PEM encodings tools commonly
// write: openssl and Go default to PKCS#8, older openssl writes SEC1 for EC
// and PKCS#1 for RSA.
func readKey(file string) (crypto.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("mitm: %w", err)
	}
	key, err := parseKey(data)
	if err != nil {
		return nil, &os.PathError{Op: "mitm: load CA key", Path: file, Err: err}
	}
	return key, nil
}

func parseKey(data []byte) (crypto.Signer, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, ErrNotPEM
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue // e.g. "EC PARAMETERS" that openssl writes first
		}
		if err != nil {
			return nil, err
		}
		if signer, ok := key.(crypto.Signer); ok {
			return signer, nil
		}
		return nil, ErrUnsupportedKey
	}
}

// firstBlock returns the first PEM block of the given type, skipping others.
func firstBlock(data []byte, blockType string) *pem.Block {
	for {
		block, rest := pem.Decode(data)
		if block == nil || block.Type == blockType {
			return block
		}
		data = rest
	}
}

// checkCA refuses a certificate that could not sign leaves clients accept,
// so the user hears about it at start-up rather than from every client.
func checkCA(cert *x509.Certificate, file string) error {
	canSign := cert.KeyUsage == 0 || cert.KeyUsage&x509.KeyUsageCertSign != 0
	if !cert.BasicConstraintsValid || !cert.IsCA || !canSign {
		return &os.PathError{Op: "mitm: load CA certificate", Path: file, Err: ErrNotCA}
	}
	if now := time.Now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return &os.PathError{Op: "mitm: load CA certificate", Path: file,
			Err: fmt.Errorf("%w (valid %s to %s)", ErrExpired,
				cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly))}
	}
	return nil
}

// publicKeysEqual reports whether two public keys are the same key. Every
// key type crypto/x509 parses has an Equal method.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}
