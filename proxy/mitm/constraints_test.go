package mitm

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	oidNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidExtKeyUsage     = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// A new CA permits its hosts' subtrees and nothing else: the extension is
// there and critical (a client that does not understand it must reject
// the CA rather than ignore the limit), every IP address is excluded, no
// intermediate may sit below it, and it vouches for servers only.
func TestNewCAIsNameConstrained(t *testing.T) {
	ca, _ := newTestLeaves(t, 0)
	cert := ca.Certificate()
	if ext := findExtension(cert, oidNameConstraints); ext == nil || !ext.Critical {
		t.Fatalf("name constraints missing or not critical: %+v", ext)
	}
	if want := []string{"api.openai.com", "api.anthropic.com", "example.com"}; !slices.Equal(cert.PermittedDNSDomains, want) {
		t.Errorf("permitted %v, want %v", cert.PermittedDNSDomains, want)
	}
	var excluded []string
	for _, r := range cert.ExcludedIPRanges {
		excluded = append(excluded, r.String())
	}
	if !slices.Equal(excluded, []string{"0.0.0.0/0", "::/0"}) {
		t.Errorf("excluded IP ranges %v", excluded)
	}
	if !ca.Constrained() {
		t.Error("Constrained() is false for a CA of ours")
	}
	if cert.MaxPathLen != 0 || !cert.MaxPathLenZero || !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("MaxPathLen %d (zero %v), ExtKeyUsage %v", cert.MaxPathLen, cert.MaxPathLenZero, cert.ExtKeyUsage)
	}
	if findExtension(cert, oidExtKeyUsage) == nil {
		t.Error("no extended key usage extension")
	}
	if life := cert.NotAfter.Sub(time.Now()); life < DefaultValidity-time.Minute || life > DefaultValidity {
		t.Errorf("valid for %s more, want a year", life)
	}
}

// Go's own verifier, as every client built on it, enforces the
// constraints on a leaf signed with the CA's key by anyone holding it: a
// name outside them, or an IP address, does not verify, whatever the
// certificate says.
func TestVerifierRejectsLeavesOutsideConstraints(t *testing.T) {
	ca, _ := newTestLeaves(t, 0)
	tests := []struct {
		name string
		dns  []string
		ips  []net.IP
		ok   bool
	}{
		{"permitted host", []string{"api.openai.com"}, nil, true},
		{"below a permitted subtree", []string{"res.example.com"}, nil, true},
		{"another site", []string{"www.google.com"}, nil, false},
		{"a sibling of a permitted host", []string{"oauth.openai.com"}, nil, false},
		{"one bad name among good ones", []string{"api.openai.com", "accounts.google.com"}, nil, false},
		{"IPv4 address", nil, []net.IP{net.ParseIP("127.0.0.1")}, false},
		{"IPv6 address", nil, []net.IP{net.ParseIP("::1")}, false},
		{"permitted name and an IP", []string{"api.openai.com"}, []net.IP{net.ParseIP("10.0.0.1")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := forgeLeaf(t, ca, tt.dns, tt.ips)
			_, err := leaf.Verify(x509.VerifyOptions{Roots: pool(ca), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if tt.ok && err != nil {
				t.Fatalf("a leaf inside the constraints does not verify: %v", err)
			}
			var invalid x509.CertificateInvalidError
			if !tt.ok && (!errors.As(err, &invalid) || invalid.Reason != x509.CANotAuthorizedForThisName) {
				t.Fatalf("a leaf outside the constraints: %v", err)
			}
		})
	}
}

// forgeLeaf signs a leaf for any names with the CA's key, as whoever
// stole the key would, bypassing Leaves' own refusals.
func forgeLeaf(t *testing.T, ca *CA, dns []string, ips []net.IP) *x509.Certificate {
	t.Helper()
	key := newECKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "forged"},
		DNSNames:     dns,
		IPAddresses:  ips,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestSubtree(t *testing.T) {
	tests := []struct {
		glob, want string
		err        error
	}{
		{"api.openai.com", "api.openai.com", nil},
		{"API.OpenAI.com.", "api.openai.com", nil},
		{"*.openai.azure.com", "openai.azure.com", nil},
		{"api-*.example.com", "example.com", nil},
		{"*foo.example.com", "example.com", nil},
		{"eu-?.api.example.co", "api.example.co", nil},
		{"localhost", "localhost", nil},
		{"*", "", ErrNoSubtree},
		{"*.com", "", ErrNoSubtree},
		{"api.*", "", ErrNoSubtree},
		{"*example.com", "", ErrNoSubtree},
		{"10.0.0.5", "", ErrIPName},
		{"[::1]", "", ErrIPName},
		{"", "", ErrNoName},
	}
	for _, tt := range tests {
		t.Run(tt.glob, func(t *testing.T) {
			got, err := Subtree(tt.glob)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Subtree(%q) = %q, %v; want %q, %v", tt.glob, got, err, tt.want, tt.err)
			}
		})
	}
}

// Subtrees that another holds are not written twice.
func TestPermittedSubtreesDropsHeldOnes(t *testing.T) {
	got, err := permittedSubtrees([]string{"api.example.com", "*.example.com", "example.com", "api.openai.com", "API.openai.com"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"example.com", "api.openai.com"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// A CA serves hosts only if it is constrained and covers each; a CA of
// another tool is read as RFC 5280 and its common extensions write it.
func TestCheckCovers(t *testing.T) {
	ours, _ := newTestLeaves(t, 0)
	constrained := func(permitted, excluded []string, ips bool) *CA {
		tmpl := caTemplate(true)
		tmpl.PermittedDNSDomains, tmpl.ExcludedDNSDomains = permitted, excluded
		if ips {
			tmpl.ExcludedIPRanges = []*net.IPNet{allIPv4, allIPv6}
		}
		return selfSigned(t, tmpl)
	}
	tests := []struct {
		name      string
		ca        *CA
		hosts     []string
		want      error
		uncovered []string
	}{
		{"ours, its hosts", ours, []string{"api.openai.com", "*.example.com", "eu.api.example.com"}, nil, nil},
		{"ours, a host it was not made for", ours, []string{"api.openai.com", "api.groq.com", "*.azure.com"}, ErrNotCovered, []string{"api.groq.com", "*.azure.com"}},
		{"ours, an uncoverable glob", ours, []string{"*"}, ErrNotCovered, []string{"*"}},
		{"another tool's, unconstrained", selfSigned(t, caTemplate(true)), []string{"api.openai.com"}, ErrUnconstrained, nil},
		{"DNS constrained but IPs open", constrained([]string{"api.openai.com"}, nil, false), []string{"api.openai.com"}, ErrUnconstrained, nil},
		{"leading-dot subtree covers a glob", constrained([]string{".openai.azure.com"}, nil, true), []string{"*.openai.azure.com"}, nil, nil},
		{"leading-dot subtree misses its apex", constrained([]string{".openai.azure.com"}, nil, true), []string{"openai.azure.com"}, ErrNotCovered, []string{"openai.azure.com"}},
		{"excluded below a glob", constrained([]string{"example.com"}, []string{"secret.example.com"}, true), []string{"api.example.com", "*.example.com"}, ErrNotCovered, []string{"*.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ca.CheckCovers(tt.hosts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckCovers: %v, want %v", err, tt.want)
			}
			var uerr *UncoveredError
			if errors.As(err, &uerr) && !slices.Equal(uerr.Hosts, tt.uncovered) {
				t.Errorf("uncovered %v, want %v", uerr.Hosts, tt.uncovered)
			}
			for _, h := range tt.uncovered {
				if !strings.Contains(err.Error(), h) {
					t.Errorf("error %q does not name %s", err, h)
				}
			}
		})
	}
}

// selfSigned is a CA made from tmpl, held in memory.
func selfSigned(t *testing.T, tmpl *x509.Certificate) *CA {
	t.Helper()
	key := newECKey(t)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{cert: cert, key: key, certPEM: encodeCert(der)}
}

// A CA cannot be made for a host no constraint could cover narrowly:
// nothing is written.
func TestLoadOrCreateRefusesUncoverableHosts(t *testing.T) {
	for _, hosts := range [][]string{{"*"}, {"api.openai.com", "*.com"}, {"10.0.0.5"}, nil} {
		dir := t.TempDir() + "/ca"
		if _, err := LoadOrCreate(dir, Spec{Hosts: hosts}); err == nil {
			t.Errorf("made a CA for %q", hosts)
		}
		if ok, _ := exists(dir); ok {
			t.Errorf("hosts %q: the directory was created", hosts)
		}
	}
}
