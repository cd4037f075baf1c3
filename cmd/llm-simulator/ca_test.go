package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// "ca path" creates the CA where it was asked to and names its
// certificate; "ca export" prints that certificate, a CA's.
func TestCACommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"ca", "path", "--ca-dir", dir}, stdio{&out, &errOut}); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	if got := strings.TrimSpace(out.String()); got != filepath.Join(dir, "ca.pem") {
		t.Fatalf("ca path printed %q", got)
	}
	out.Reset()
	if err := run(context.Background(), []string{"ca", "export", "--ca-dir", dir}, stdio{&out, &errOut}); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	block, _ := pem.Decode(out.Bytes())
	if block == nil || !bytes.Equal(out.Bytes(), onDisk) {
		t.Fatalf("ca export printed %q", out.String())
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !cert.IsCA {
		t.Fatalf("exported certificate: %v, CA %v", err, cert != nil && cert.IsCA)
	}
	if strings.Contains(out.String(), "PRIVATE KEY") {
		t.Fatal("ca export printed the key")
	}
	if err := run(context.Background(), []string{"ca", "bogus"}, stdio{&out, &errOut}); err != errUsage {
		t.Fatalf("ca bogus: %v", err)
	}
}

// --offline is the config's upstreams: deny; --ca-dir overrides ca_dir.
func TestForwardingFlags(t *testing.T) {
	o, err := parseFlags([]string{"--offline", "--ca-dir", "/tmp/x"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := loadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Upstreams != "deny" || cfg.Intercept.CADir != "/tmp/x" {
		t.Fatalf("upstreams %q, ca_dir %q", cfg.Upstreams, cfg.Intercept.CADir)
	}
}
