package mitm

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLeafVerifiesAgainstCA(t *testing.T) {
	ca, leaves := newTestLeaves(t, 0)
	tests := []struct {
		name     string // asked for
		verifyAs string // what a client checks
	}{
		{"api.openai.com", "api.openai.com"},
		{"API.Anthropic.COM.", "api.anthropic.com"},
		{"deep.host.example.com", "deep.host.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, err := leaves.Get(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			leaf := cert.Leaf
			_, err = leaf.Verify(x509.VerifyOptions{
				DNSName:   tt.verifyAs,
				Roots:     pool(ca),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(leaf.IPAddresses) != 0 || len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != tt.verifyAs {
				t.Errorf("SANs: DNS %v, IP %v", leaf.DNSNames, leaf.IPAddresses)
			}
			if leaf.Subject.CommonName != tt.verifyAs || leaf.KeyUsage != x509.KeyUsageDigitalSignature {
				t.Errorf("CN %q, KeyUsage %b", leaf.Subject.CommonName, leaf.KeyUsage)
			}
			if life := leaf.NotAfter.Sub(leaf.NotBefore); life > 397*24*time.Hour {
				t.Errorf("valid for %s, more than 397 days", life)
			}
			if leaf.NotBefore.After(time.Now().Add(-23 * time.Hour)) {
				t.Errorf("NotBefore %s is not back-dated a day", leaf.NotBefore)
			}
			if !bytes.Equal(leaf.AuthorityKeyId, ca.Certificate().SubjectKeyId) {
				t.Errorf("AuthorityKeyId %x, CA SubjectKeyId %x", leaf.AuthorityKeyId, ca.Certificate().SubjectKeyId)
			}
			if len(cert.Certificate) != 1 || cert.PrivateKey != leaves.key {
				t.Errorf("chain of %d, private key %T", len(cert.Certificate), cert.PrivateKey)
			}
		})
	}
}

func TestGetMintsOnceUnderConcurrency(t *testing.T) {
	_, leaves := newTestLeaves(t, 0)
	const callers = 50
	certs := make([]*tls.Certificate, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			cert, err := leaves.Get("api.openai.com")
			if err != nil {
				t.Error(err)
			}
			certs[i] = cert
		})
	}
	close(start)
	wg.Wait()
	if n := leaves.Minted(); n != 1 {
		t.Errorf("minted %d certificates, want 1", n)
	}
	for i, c := range certs {
		if c != certs[0] {
			t.Errorf("caller %d got a different certificate", i)
		}
	}
}

func TestGetKeepsAtMostSizeLeaves(t *testing.T) {
	_, leaves := newTestLeaves(t, 2)
	for _, name := range []string{"a.example.com", "b.example.com", "c.example.com", "a.example.com"} {
		if _, err := leaves.Get(name); err != nil {
			t.Fatal(err)
		}
	}
	if n := leaves.Minted(); n != 4 {
		t.Errorf("minted %d, want 4: the first name should have been evicted", n)
	}
	if _, err := leaves.Get("c.example.com"); err != nil || leaves.Minted() != 4 {
		t.Errorf("a recent name was minted again (minted %d, err %v)", leaves.Minted(), err)
	}
}

func TestGetRemintsNearExpiry(t *testing.T) {
	// A CA that outlives its leaves: a leaf of a one-year CA ends with it.
	ca, err := LoadOrCreate(t.TempDir(), Spec{Hosts: testSpec.Hosts, Validity: 3 * DefaultValidity})
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := NewLeaves(ca, 0)
	if err != nil {
		t.Fatal(err)
	}
	first, err := leaves.Get("api.openai.com")
	if err != nil {
		t.Fatal(err)
	}
	leaves.now = func() time.Time { return first.Leaf.NotAfter.Add(-23 * time.Hour) }
	second, err := leaves.Get("api.openai.com")
	if err != nil {
		t.Fatal(err)
	}
	if second == first || leaves.Minted() != 2 || !second.Leaf.NotAfter.After(first.Leaf.NotAfter) {
		t.Errorf("a leaf within a day of expiry was served again (minted %d)", leaves.Minted())
	}
}

// A leaf that ends with its CA is served until it expires: a new one
// could last no longer.
func TestGetKeepsLeafEndingWithCA(t *testing.T) {
	ca, leaves := newTestLeaves(t, 0)
	first, err := leaves.Get("api.openai.com")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Leaf.NotAfter.Equal(ca.Certificate().NotAfter) {
		t.Fatalf("leaf ends %s, CA %s: a one-year CA should cap its leaves", first.Leaf.NotAfter, ca.Certificate().NotAfter)
	}
	leaves.now = func() time.Time { return first.Leaf.NotAfter.Add(-time.Hour) }
	if second, err := leaves.Get("api.openai.com"); err != nil || second != first || leaves.Minted() != 1 {
		t.Errorf("minted %d, same leaf %v, err %v", leaves.Minted(), second == first, err)
	}
}

func TestLeavesShareOneKey(t *testing.T) {
	_, leaves := newTestLeaves(t, 0)
	a, errA := leaves.Get("a.example.com")
	b, errB := leaves.Get("b.example.com")
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	if a.PrivateKey != b.PrivateKey || !publicKeysEqual(a.Leaf.PublicKey, b.Leaf.PublicKey) {
		t.Error("two leaves of one Leaves certify different keys")
	}
}

// No leaf is minted for a name a client would reject anyway: none, an IP
// address (the CA excludes them all), a name outside the CA's permitted
// subtrees; nothing is minted trying.
func TestGetRefusesNamesOutsideTheCA(t *testing.T) {
	_, leaves := newTestLeaves(t, 0)
	for _, tt := range []struct {
		name string
		want error
	}{
		{"", ErrNoName},
		{".", ErrNoName},
		{"127.0.0.1", ErrIPName},
		{"[::1]", ErrIPName},
		{"www.google.com", ErrNotPermitted},
		{"oauth2.googleapis.com", ErrNotPermitted},
		{"example.com.evil.net", ErrNotPermitted},
		{"notexample.com", ErrNotPermitted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := leaves.Get(tt.name); !errors.Is(err, tt.want) {
				t.Errorf("Get(%q) error = %v, want %v", tt.name, err, tt.want)
			}
		})
	}
	if n := leaves.Minted(); n != 0 {
		t.Errorf("minted %d leaves for refused names", n)
	}
}
