package mitm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// publish makes the CA's files appear complete: each is written to a
// temporary file in dir and hard-linked into place, which fails rather than
// overwrites. The key goes first and decides who created the CA; the
// certificate last, so a certificate on disk always has its key beside it.
// won is false when another process's key was already there.
func publish(dir, certFile, keyFile string, certPEM, keyPEM []byte) (won bool, err error) {
	tmpKey, err := writeTemp(dir, ".ca-key-*.tmp", keyPEM, 0o600)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmpKey)
	tmpCert, err := writeTemp(dir, ".ca-*.tmp", certPEM, 0o644)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmpCert)
	if err := os.Link(tmpKey, keyFile); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("mitm: publish CA key: %w", err)
	}
	if err := os.Link(tmpCert, certFile); err != nil {
		os.Remove(keyFile) // ours, linked a moment ago; leave no key without its certificate
		return false, fmt.Errorf("mitm: publish CA certificate: %w", err)
	}
	return true, nil
}

// writeTemp writes data to a new temporary file in dir and returns its name.
func writeTemp(dir, pattern string, data []byte, mode os.FileMode) (name string, err error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("mitm: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("mitm: write %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}
