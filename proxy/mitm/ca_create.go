package mitm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The file names LoadOrCreate uses inside its directory.
const (
	CertFileName = "ca.pem"
	KeyFileName  = "ca-key.pem"
)

// ErrIncomplete is wrapped when only one of the CA's two files exists.
var ErrIncomplete = errors.New("a CA certificate and its key must exist together")

// DefaultValidity is how long a new CA is valid when its Spec does not
// say: a year, the default of the config's intercept.ca_validity. A CA
// that expires is replaced by `llm-simulator ca rotate`, and a short life
// bounds how long a copied key is worth anything.
const DefaultValidity = 365 * 24 * time.Hour

// Spec is what a new CA is made for.
type Spec struct {
	// Hosts are the host globs the CA's name constraints permit, each as
	// Subtree turns it into a DNS subtree; a leaf for any other name is
	// rejected by clients. At least one. Never a whole parent domain of
	// the user's other traffic: "*.googleapis.com" would permit Google's
	// OAuth endpoints too.
	Hosts []string
	// Validity is how long the CA is valid from now. Zero means
	// DefaultValidity.
	Validity time.Duration
}

// creationGrace is how long a key without its certificate is taken for
// another process's creation in progress rather than a leftover of a crash.
const creationGrace = 5 * time.Second

// pause waits between looks for another process's certificate; a test
// replaces it to publish the certificate while LoadOrCreate waits.
var pause = time.Sleep

// LoadOrCreate returns the CA kept in dir (ca.pem and ca-key.pem), creating
// dir (0700) and a new CA for spec on first run. A CA already there is
// loaded as it is, whatever spec says: whether it covers the hosts to be
// served is CheckCovers's to say. Processes starting together agree on one
// CA: files appear complete and key first, and a loser loads the winner's
// (a key found without its certificate is waited on for up to five
// seconds for that reason). It never overwrites: one file without the
// other, a key that is not the certificate's, or a certificate that is not
// a CA is an error naming the file.
func LoadOrCreate(dir string, spec Spec) (*CA, error) {
	certFile := filepath.Join(dir, CertFileName)
	keyFile := filepath.Join(dir, KeyFileName)
	// The certificate is looked at first because it is published last: if
	// it exists, its key is already there.
	haveCert, err := exists(certFile)
	if err != nil {
		return nil, err
	}
	haveKey, err := exists(keyFile)
	if err != nil {
		return nil, err
	}
	switch {
	case haveCert && haveKey:
		return Load(certFile, keyFile)
	case haveCert:
		return nil, incomplete(certFile, keyFile)
	case haveKey:
		return awaitCert(certFile, keyFile)
	}
	return create(dir, certFile, keyFile, spec)
}

// create generates a CA and publishes it, or loads the one another process
// published first.
func create(dir, certFile, keyFile string, spec Spec) (*CA, error) {
	certPEM, keyPEM, err := generateCA(spec)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mitm: create CA dir: %w", err)
	}
	won, err := publish(dir, certFile, keyFile, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	if !won {
		return awaitCert(certFile, keyFile)
	}
	return Load(certFile, keyFile)
}

// awaitCert waits for the certificate of a key another process has just
// published. A key older than creationGrace without its certificate is a
// leftover, reported rather than replaced.
func awaitCert(certFile, keyFile string) (*CA, error) {
	info, err := os.Stat(keyFile)
	if err != nil {
		return nil, fmt.Errorf("mitm: %w", err)
	}
	deadline := time.Now().Add(creationGrace)
	if stale := info.ModTime().Add(creationGrace); stale.Before(deadline) {
		deadline = stale
	}
	for {
		haveCert, err := exists(certFile)
		if err != nil {
			return nil, err
		}
		if haveCert {
			return Load(certFile, keyFile)
		}
		if time.Now().After(deadline) {
			return nil, incomplete(keyFile, certFile)
		}
		pause(10 * time.Millisecond) // another process is between its two links
	}
}

func incomplete(present, missing string) error {
	return fmt.Errorf("mitm: %s exists but %s does not (%w); restore %s, or remove %s to generate a new CA",
		present, missing, ErrIncomplete, filepath.Base(missing), filepath.Base(present))
}

func exists(file string) (bool, error) {
	_, err := os.Lstat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mitm: %w", err)
	}
	return true, nil
}
