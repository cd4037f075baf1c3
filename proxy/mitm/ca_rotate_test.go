package mitm

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Rotate makes a new CA for the hosts asked, keeps the old certificate
// aside under a name of its own (twice in a second: both kept) and leaves
// no copy of the old key anywhere in the directory.
func TestRotate(t *testing.T) {
	dir := t.TempDir()
	old := generateInto(t, dir)
	oldKey, _ := os.ReadFile(filepath.Join(dir, KeyFileName))
	spec := Spec{Hosts: []string{"api.openai.com", "llm.corp.example"}}
	ca, retired, err := Rotate(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	if ca.Certificate().Equal(old.Certificate()) || ca.CheckCovers([]string{"llm.corp.example"}) != nil {
		t.Fatalf("rotated CA %v permits %v", ca, ca.Certificate().PermittedDNSDomains)
	}
	if kept, _ := os.ReadFile(retired); !bytes.Equal(kept, old.CertPEM()) || !strings.HasPrefix(filepath.Base(retired), "ca-retired-") {
		t.Errorf("retired certificate %s does not hold the old one", retired)
	}
	loaded, err := LoadOrCreate(dir, testSpec)
	if err != nil || !loaded.Certificate().Equal(ca.Certificate()) {
		t.Fatalf("the directory does not load the new CA: %v", err)
	}
	_, again, err := Rotate(dir, spec)
	if err != nil || again == retired {
		t.Fatalf("second rotation retired to %q (first %q): %v", again, retired, err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if bytes.Contains(data, oldKey) {
			t.Errorf("%s holds the old key", e.Name())
		}
	}
	if len(names) != 4 || !slices.Contains(names, CertFileName) || !slices.Contains(names, KeyFileName) {
		t.Errorf("dir holds %v, want ca.pem, ca-key.pem and two retired certificates", names)
	}
}

// A rotation that could not make the new CA moves nothing; one in an empty
// directory just makes a CA.
func TestRotateRefusesBeforeMoving(t *testing.T) {
	dir := t.TempDir()
	generateInto(t, dir)
	before := snapshot(t, dir)
	if _, _, err := Rotate(dir, Spec{Hosts: []string{"*"}}); !errors.Is(err, ErrNoSubtree) {
		t.Fatalf("Rotate for \"*\": %v", err)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("a refused rotation changed the directory")
	}
	ca, retired, err := Rotate(filepath.Join(t.TempDir(), "new"), testSpec)
	if err != nil || retired != "" || ca == nil {
		t.Errorf("rotating an empty directory: %v, retired %q", err, retired)
	}
}

// A key any user can read refuses the CA, one its group can read is
// loaded with a warning naming it; the mode judged is the file's that a
// symbolic link leads to, as a Kubernetes Secret volume's links do.
func TestLoadChecksKeyMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	tests := []struct {
		name     string
		mode     os.FileMode
		symlink  bool
		refused  bool
		warnings int
	}{
		{"owner only", 0o600, false, false, 0},
		{"read-only owner", 0o400, false, false, 0},
		{"group-readable", 0o640, false, false, 1},
		{"world-readable", 0o644, false, true, 0},
		{"world-readable behind a 0777 link", 0o604, true, true, 0},
		{"owner only behind a 0777 link", 0o400, true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			generateInto(t, dir)
			certFile, keyFile := filepath.Join(dir, CertFileName), filepath.Join(dir, KeyFileName)
			if err := os.Chmod(keyFile, tt.mode); err != nil {
				t.Fatal(err)
			}
			if tt.symlink {
				link := filepath.Join(t.TempDir(), "tls.key")
				if err := os.Symlink(keyFile, link); err != nil {
					t.Fatal(err)
				}
				keyFile = link
			}
			ca, err := Load(certFile, keyFile)
			if tt.refused {
				if !errors.Is(err, ErrKeyExposed) || !strings.Contains(err.Error(), keyFile) || !strings.Contains(err.Error(), "0400") {
					t.Fatalf("a world-readable key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ca.Warnings(); len(got) != tt.warnings || (tt.warnings > 0 && !strings.Contains(got[0], keyFile)) {
				t.Errorf("warnings %q", got)
			}
		})
	}
}

// A CA within a month of its end says so when loaded.
func TestLoadWarnsOfExpiry(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreate(dir, Spec{Hosts: testSpec.Hosts, Validity: 10 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	ca, err := Load(filepath.Join(dir, CertFileName), filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if w := ca.Warnings(); len(w) != 1 || !strings.Contains(w[0], "expires on") {
		t.Errorf("warnings %q", w)
	}
}
