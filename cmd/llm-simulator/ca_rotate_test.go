package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/sidecar"
)

// customHostsConfig intercepts a host no built-in list holds and declares
// a provider at another.
const customHostsConfig = `version: 1
providers:
  corp: {upstream: "https://llm.corp.example", dialect: openai}
intercept: {hosts: [api.openai.com, edge.test.example]}
upstreams: deny
`

// A CA made for the embedded default does not cover a config's own host:
// the start is refused naming the host and the command that fixes it;
// `ca rotate` makes one that covers the built-in hosts and the config's,
// and nothing wider.
func TestCARotateCoversTheConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	cfgFile := writeConfig(t, customHostsConfig)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"ca", "path", "--ca-dir", dir}, stdio{&out, &errOut}); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	o := &options{config: cfgFile, caDir: dir}
	_, err := sidecar.LoadCA(loadTestConfig(t, o), rotateCommand(o))
	if !errors.Is(err, mitm.ErrNotCovered) || !strings.Contains(err.Error(), "edge.test.example") ||
		!strings.Contains(err.Error(), "`llm-simulator ca rotate --config "+cfgFile+" --ca-dir "+dir+"`") {
		t.Fatalf("a CA not covering the config: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"ca", "rotate", "--config", cfgFile, "--ca-dir", dir}, stdio{&out, &errOut}); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	for _, want := range []string{"new interception CA: " + filepath.Join(dir, "ca.pem"), "the old certificate is kept as " + filepath.Join(dir, "ca-retired-"), "trust the new ca.pem"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("ca rotate said %q, not %q", out.String(), want)
		}
	}
	ca, err := sidecar.LoadCA(loadTestConfig(t, o), rotateCommand(o))
	if err != nil {
		t.Fatalf("the rotated CA: %v", err)
	}
	cert := ca.Certificate()
	permitted := cert.PermittedDNSDomains
	for _, want := range []string{"api.openai.com", "openai.azure.com", "generativelanguage.googleapis.com", "api.groq.com",
		"bedrock-runtime.eu-west-1.amazonaws.com", "us-east5-aiplatform.googleapis.com", "edge.test.example", "llm.corp.example"} {
		if !slices.Contains(permitted, want) {
			t.Errorf("permitted names lack %s", want)
		}
	}
	for _, parent := range []string{"googleapis.com", "amazonaws.com", "azure.com", "api.aws", "com", ""} {
		if slices.Contains(permitted, parent) {
			t.Errorf("permitted names hold the parent domain %q", parent)
		}
	}
	if len(permitted) != len(config.BuiltinCAHosts())+2 {
		t.Errorf("%d permitted names, want the %d built-in ones and the config's two", len(permitted), len(config.BuiltinCAHosts()))
	}
	if ext := extension(cert, asn1.ObjectIdentifier{2, 5, 29, 30}); ext == nil || !ext.Critical || len(cert.ExcludedIPRanges) != 2 {
		t.Errorf("name constraints %+v, excluded IPs %v", ext, cert.ExcludedIPRanges)
	}
	if life := time.Until(cert.NotAfter); life < 364*24*time.Hour || life > 366*24*time.Hour {
		t.Errorf("valid for %s, want a year", life)
	}
}

// A CA that can sign for anything is refused, with what to do about it:
// an earlier llm-simulator's is rotated; the user's own must be
// constrained. A key any user can read is refused, one the group can read
// warned about, at start.
func TestLoadCARefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // writes the CA, returns the config's intercept section
		want  []string
		err   error
	}{
		{"an earlier version's CA", func(t *testing.T, dir string) string {
			writeCAFiles(t, dir, "ca.pem", "ca-key.pem", 0o600)
			return "intercept: {ca_dir: ./ca}"
		}, []string{"no name constraints", "an earlier llm-simulator made it", "`llm-simulator ca rotate --config "}, mitm.ErrUnconstrained},
		{"the user's unconstrained CA", func(t *testing.T, dir string) string {
			writeCAFiles(t, dir, "tls.crt", "tls.key", 0o400)
			return "intercept: {ca_cert: ./ca/tls.crt, ca_key: ./ca/tls.key}"
		}, []string{"intercept.ca_cert", "critical name-constraints extension", "docs/ca-trust.md", "--ca-dir DIR"}, mitm.ErrUnconstrained},
		{"a world-readable key", func(t *testing.T, dir string) string {
			if _, err := mitm.LoadOrCreate(dir, mitm.Spec{Hosts: config.BuiltinCAHosts()}); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, "ca-key.pem"), 0o644); err != nil {
				t.Fatal(err)
			}
			return "intercept: {ca_dir: ./ca}"
		}, []string{"readable by every user", "chmod 600", "defaultMode: 0400"}, mitm.ErrKeyExposed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			section := tt.setup(t, filepath.Join(root, "ca"))
			cfgFile := filepath.Join(root, "config.yaml")
			if err := os.WriteFile(cfgFile, []byte("version: 1\n"+section+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			o := &options{config: cfgFile}
			_, err := sidecar.LoadCA(loadTestConfig(t, o), rotateCommand(o))
			if !errors.Is(err, tt.err) {
				t.Fatalf("LoadCA: %v, want %v", err, tt.err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err, want)
				}
			}
			// The process refuses to start, saying the same.
			var stderr bytes.Buffer
			err = serve(context.Background(), &options{config: cfgFile, listen: "127.0.0.1:0", adminListen: "127.0.0.1:0"},
				stdio{out: io.Discard, err: &stderr}, nil)
			if !errors.Is(err, tt.err) {
				t.Errorf("serve: %v", err)
			}
		})
	}
}

// A group-readable key starts, with a warning in the log naming it.
func TestGroupReadableKeyWarns(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "ca")
	if _, err := mitm.LoadOrCreate(dir, mitm.Spec{Hosts: config.BuiltinCAHosts()}); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "ca-key.pem")
	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(root, "config.yaml")
	if err := os.WriteFile(cfgFile, []byte("version: 1\nintercept: {ca_dir: ./ca}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, _, log := startServeLogged(t, cfgFile)
	if !strings.Contains(log.String(), `"level":"warn"`) || !strings.Contains(log.String(), key+" is readable by its group") {
		t.Errorf("no warning of the group-readable key:\n%s", log)
	}
}

// A reload that would intercept a host the CA in force does not cover is
// refused, naming the host and the command that makes a CA covering it;
// the hosts in force keep being served (the new one is not intercepted).
func TestReloadRefusesHostsTheCADoesNotCover(t *testing.T) {
	root := t.TempDir()
	cfgFile := filepath.Join(root, "config.yaml")
	base := "version: 1\nintercept: {hosts: [api.openai.com], ca_dir: ./ca}\nupstreams: deny\n"
	if err := os.WriteFile(cfgFile, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	proxyAddr, _, _, log := startServeLogged(t, cfgFile)
	wider := strings.Replace(base, "[api.openai.com]", "[api.openai.com, edge.test.example]", 1)
	if err := os.WriteFile(cfgFile, []byte(wider), 0o644); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, log, "the config in force keeps serving")
	for _, want := range []string{"edge.test.example", "llm-simulator ca rotate --config " + cfgFile} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the refusal does not say %q:\n%s", want, log)
		}
	}
	if status := connectStatus(t, proxyAddr, "edge.test.example:443"); status != 403 {
		t.Errorf("CONNECT to the refused host: %d, want the offline guard's 403 (not intercepted)", status)
	}
}

// loadTestConfig is loadConfig's config, failing the test on error.
func loadTestConfig(t *testing.T, o *options) *config.Config {
	t.Helper()
	cfg, _, err := loadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// writeCAFiles writes a CA as another tool, or an earlier llm-simulator,
// makes one: no name constraints.
func writeCAFiles(t *testing.T, dir, certName, keyName string, keyMode os.FileMode) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "unconstrained test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		certName: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyName:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, keyMode); err != nil {
			t.Fatal(err)
		}
	}
}

func extension(cert *x509.Certificate, oid asn1.ObjectIdentifier) *pkix.Extension {
	for i := range cert.Extensions {
		if cert.Extensions[i].Id.Equal(oid) {
			return &cert.Extensions[i]
		}
	}
	return nil
}

// connectStatus sends CONNECT target to the proxy and returns the status
// of its answer.
func connectStatus(t *testing.T, proxyAddr, target string) int {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "CONNECT"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
