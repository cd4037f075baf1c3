package mitm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadOrCreateRefusesBrokenCA checks that a directory LoadOrCreate
// cannot use gives an error naming the file at fault and is left as it was.
func TestLoadOrCreateRefusesBrokenCA(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		blame   string // the file the error must name
		wantErr error
	}{
		{"certificate without key", func(t *testing.T, dir string) {
			generateInto(t, dir)
			os.Remove(filepath.Join(dir, KeyFileName))
		}, KeyFileName, ErrIncomplete},
		{"key left over without certificate", func(t *testing.T, dir string) {
			generateInto(t, dir)
			os.Remove(filepath.Join(dir, CertFileName))
			old := time.Now().Add(-time.Hour)
			os.Chtimes(filepath.Join(dir, KeyFileName), old, old)
		}, CertFileName, ErrIncomplete},
		{"key of another CA", func(t *testing.T, dir string) {
			generateInto(t, dir)
			other := t.TempDir()
			generateInto(t, other)
			key, _ := os.ReadFile(filepath.Join(other, KeyFileName))
			writeFile(t, filepath.Join(dir, KeyFileName), key)
		}, KeyFileName, ErrKeyMismatch},
		{"certificate not a CA", func(t *testing.T, dir string) {
			writeCA(t, dir, newECKey(t), "PRIVATE KEY", false)
		}, CertFileName, ErrNotCA},
		{"certificate not PEM", func(t *testing.T, dir string) {
			writeCA(t, dir, newECKey(t), "PRIVATE KEY", true)
			writeFile(t, filepath.Join(dir, CertFileName), []byte("not a certificate"))
		}, CertFileName, ErrNotPEM},
		{"key not PEM", func(t *testing.T, dir string) {
			writeCA(t, dir, newECKey(t), "PRIVATE KEY", true)
			writeFile(t, filepath.Join(dir, KeyFileName), []byte("not a key"))
		}, KeyFileName, ErrNotPEM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			before := snapshot(t, dir)
			_, err := LoadOrCreate(dir, testSpec)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if blamed := filepath.Join(dir, tt.blame); !strings.Contains(err.Error(), blamed) {
				t.Errorf("error %q does not name %s", err, blamed)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("directory changed:\n%s\nbecame\n%s", before, after)
			}
		})
	}
}

// TestLoadOrCreateWaitsForCertificate plays a second process that has
// published its key and is about to publish its certificate.
func TestLoadOrCreateWaitsForCertificate(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	want := generateInto(t, src)
	key, _ := os.ReadFile(filepath.Join(src, KeyFileName))
	writeFile(t, filepath.Join(dir, KeyFileName), key)
	waited := 0
	pause = func(time.Duration) {
		waited++
		if err := os.Link(filepath.Join(src, CertFileName), filepath.Join(dir, CertFileName)); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { pause = time.Sleep })
	ca, err := LoadOrCreate(dir, testSpec)
	if err != nil {
		t.Fatal(err)
	}
	if waited != 1 || !ca.Certificate().Equal(want.Certificate()) {
		t.Errorf("waited %d times; got CA %v, want %v", waited, ca, want)
	}
}

func generateInto(t *testing.T, dir string) *CA {
	t.Helper()
	ca, err := LoadOrCreate(dir, testSpec)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// snapshot describes a directory's files and contents.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b.WriteString(e.Name() + ":" + string(data) + "\n")
	}
	return b.String()
}
