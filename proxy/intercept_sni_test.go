package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/rules"
)

// Through the real interception path, a tunnel opened to one intercepted
// host gets a certificate for that host and no other: an SNI naming a
// site not intercepted, or another intercepted host, fails the handshake
// and is logged with both names; a client sending no SNI gets the CONNECT
// host's; an SNI differing only in case is the same host.
func TestInterceptedHandshakeNamesOnlyTheConnectHost(t *testing.T) {
	tests := []struct {
		name     string
		connect  string
		sni      string // "" sends none
		verifyAs string // the name the client checks the leaf for
		ok       bool
	}{
		{"SNI of the CONNECT host", "api.openai.com:443", "api.openai.com", "api.openai.com", true},
		{"SNI in other case", "api.openai.com:443", "API.OpenAI.com", "api.openai.com", true},
		{"no SNI", "api.openai.com:443", "", "api.openai.com", true},
		{"SNI of a site not intercepted", "api.openai.com:443", "www.google.com", "www.google.com", false},
		{"SNI of another intercepted host", "api.openai.com:443", "api.anthropic.com", "api.anthropic.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, "version: 1\n", nil)
			state, err := handshakeThrough(t, s, tt.connect, tt.sni, tt.verifyAs)
			if !tt.ok {
				if err == nil {
					t.Fatalf("handshake with SNI %q after CONNECT %s succeeded, leaf for %v", tt.sni, tt.connect, state.PeerCertificates[0].DNSNames)
				}
				expectRefusalLogged(t, s, tt.connect, tt.sni)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if names := state.PeerCertificates[0].DNSNames; len(names) != 1 || names[0] != tt.verifyAs {
				t.Errorf("leaf for %v", names)
			}
		})
	}
}

// A CONNECT to an IP address never gets a certificate, even when the host
// set would intercept it (config validation refuses IP intercept hosts;
// this is the guard behind it).
func TestInterceptedHandshakeRefusesIPConnectHost(t *testing.T) {
	s := newStack(t, "version: 1\n", nil)
	hosts, err := rules.NewHostSet([]string{"api.openai.com", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s.front.Intercept.SetHosts(hosts)
	if _, err := handshakeThrough(t, s, "127.0.0.1:443", "", "127.0.0.1"); err == nil {
		t.Fatal("a CONNECT to an IP address got a certificate")
	}
	expectRefusalLogged(t, s, "127.0.0.1:443", "")
}

// handshakeThrough opens a CONNECT tunnel to connect and runs a TLS
// handshake in it trusting the stack's CA, sending sni (none when "") and
// checking the leaf for verifyAs.
func handshakeThrough(t *testing.T, s *stack, connect, sni, verifyAs string) (tls.ConnectionState, error) {
	t.Helper()
	c := connectThrough(t, s, connect)
	roots := x509.NewCertPool()
	roots.AddCert(s.ca.Certificate())
	cfg := &tls.Config{RootCAs: roots, ServerName: sni}
	if sni == "" {
		// Go sends no SNI for an IP ServerName; the leaf is checked by hand.
		cfg.ServerName, cfg.InsecureSkipVerify = "127.0.0.1", true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: verifyAs, Roots: roots})
			return err
		}
	}
	tc := tls.Client(c, cfg)
	_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
	err := tc.Handshake()
	return tc.ConnectionState(), err
}

// expectRefusalLogged checks that the proxy logged the refusal at warn
// with the CONNECT host and the SNI, minted nothing, and logged no key.
func expectRefusalLogged(t *testing.T, s *stack, connect, sni string) {
	t.Helper()
	if n := s.leaves.Minted(); n != 0 {
		t.Errorf("minted %d leaves", n)
	}
	// The refusal is logged before the alert that failed the client's
	// handshake is sent.
	logged := s.log.String()
	for _, want := range []string{`"level":"warn"`, `"connect_host":"` + connect + `"`, `"sni":"` + sni + `"`, `"reason":`} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %s:\n%s", want, logged)
		}
	}
	if strings.Contains(logged, "PRIVATE KEY") {
		t.Error("the log holds a key")
	}
}
