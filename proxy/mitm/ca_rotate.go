package mitm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Rotate replaces the CA kept in dir with a new one for spec. The old
// certificate is kept beside it as ca-retired-<UTC time>.pem, so the user
// can find it in the trust stores it was added to and remove it; the old
// key is deleted, not kept: a key set aside is still a key that clients
// trusting the old CA believe, and keeping it is what rotating ends. The
// certificate goes first, so that at no moment is a certificate on disk
// without its key (LoadOrCreate's promise). retired is "" when dir held no
// CA. A process running with the old CA keeps it until it restarts.
func Rotate(dir string, spec Spec) (ca *CA, retired string, err error) {
	if _, err := permittedSubtrees(spec.Hosts); err != nil {
		return nil, "", err // before anything is moved
	}
	certFile := filepath.Join(dir, CertFileName)
	keyFile := filepath.Join(dir, KeyFileName)
	haveCert, err := exists(certFile)
	if err != nil {
		return nil, "", err
	}
	if haveCert {
		if retired, err = retire(certFile); err != nil {
			return nil, "", err
		}
	}
	if err := os.Remove(keyFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, retired, fmt.Errorf("mitm: delete the old CA key: %w", err)
	}
	ca, err = create(dir, certFile, keyFile, spec)
	return ca, retired, err
}

// retire moves the certificate to a name of its own that no earlier
// retired one has: two rotations within a second keep both.
func retire(certFile string) (string, error) {
	base := filepath.Join(filepath.Dir(certFile), "ca-retired-"+time.Now().UTC().Format("20060102T150405Z"))
	for i := 0; ; i++ {
		name := base + ".pem"
		if i > 0 {
			name = fmt.Sprintf("%s-%d.pem", base, i)
		}
		err := os.Link(certFile, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("mitm: retire the old CA certificate: %w", err)
		}
		if err := os.Remove(certFile); err != nil {
			return "", fmt.Errorf("mitm: retire the old CA certificate: %w", err)
		}
		return name, nil
	}
}
