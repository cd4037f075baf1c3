package egress

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// ownAt is a Listeners holding addrs.
func ownAt(t *testing.T, addrs ...string) *Listeners {
	t.Helper()
	l := &Listeners{}
	var as []net.Addr
	for _, a := range addrs {
		as = append(as, net.TCPAddrFromAddrPort(netip.MustParseAddrPort(a)))
	}
	l.Set(as...)
	return l
}

func mustPolicy(t *testing.T, o Options) *Policy {
	t.Helper()
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	listed := func(n string) bool { return n == "api.openai.com" || n == "login.example.com" }
	own := ownAt(t, "127.0.0.1:9090", "0.0.0.0:8080")
	public := mustPolicy(t, Options{Own: own, Listed: listed})
	allowing := mustPolicy(t, Options{Own: own, Allow: []string{"127.0.0.0/8", "10.0.0.5:5432", "127.0.0.1:8080", "llm.internal"}})
	onlyListed := mustPolicy(t, Options{Mode: ModeListed, Own: own, Listed: listed, Allow: []string{"status.example.com"}})
	for _, tc := range []struct {
		name    string
		p       *Policy
		purpose Purpose
		host    string
		ip      string
		port    uint16
		want    Reason // "" allowed
	}{
		{"admin port", public, Tunnel, "127.0.0.1", "127.0.0.1", 9090, OwnListener},
		{"proxy on every interface, by loopback", public, Forward, "localhost", "::1", 8080, OwnListener},
		{"other loopback port", public, Tunnel, "127.0.0.1", "127.0.0.1", 5000, Internal},
		{"metadata", public, Forward, "169.254.169.254", "169.254.169.254", 80, Internal},
		{"metadata by a name", public, Tunnel, "metadata.google.internal", "169.254.169.254", 443, Internal},
		{"ec2 v6 metadata", public, Forward, "fd00:ec2::254", "fd00:ec2::254", 80, Internal},
		{"private", public, Tunnel, "10.0.0.7", "10.0.0.7", 443, Internal},
		{"mapped loopback", public, Tunnel, "::ffff:127.0.0.1", "::ffff:127.0.0.1", 443, Internal},
		{"public 443", public, Tunnel, "example.com", "93.184.216.34", 443, ""},
		{"public 22 tunnel", public, Tunnel, "example.com", "93.184.216.34", 22, Port},
		{"public 8080 forward", public, Forward, "example.com", "93.184.216.34", 8080, ""},
		{"configured upstream on loopback", public, Upstream, "127.0.0.1", "127.0.0.1", 11434, ""},
		{"configured upstream at the admin port", public, Upstream, "127.0.0.1", "127.0.0.1", 9090, OwnListener},
		{"allowed range", allowing, Tunnel, "127.0.0.1", "127.0.0.1", 5000, ""},
		{"allowed range does not open admin", allowing, Tunnel, "127.0.0.1", "127.0.0.1", 9090, OwnListener},
		{"entry with the port opens own listener", allowing, Forward, "127.0.0.1", "127.0.0.1", 8080, ""},
		{"allowed address and port", allowing, Tunnel, "10.0.0.5", "10.0.0.5", 5432, ""},
		{"allowed address, other port", allowing, Tunnel, "10.0.0.5", "10.0.0.5", 5433, Internal},
		{"allowed name resolving inside", allowing, Forward, "LLM.internal.", "10.3.3.3", 8000, ""},
		{"listed host", onlyListed, Tunnel, "login.example.com", "93.184.216.34", 443, ""},
		{"unlisted host", onlyListed, Tunnel, "example.com", "93.184.216.34", 443, NotListed},
		{"listed host resolving inside", onlyListed, Tunnel, "login.example.com", "10.0.0.1", 443, Internal},
		{"allowed in listed mode", onlyListed, Forward, "status.example.com", "93.184.216.34", 80, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Check(tc.purpose, tc.host, netip.MustParseAddr(tc.ip), tc.port)
			assertReason(t, err, tc.want)
		})
	}
}

func assertReason(t *testing.T, err error, want Reason) {
	t.Helper()
	var r *Refusal
	switch {
	case want == "" && err != nil:
		t.Fatalf("refused: %v", err)
	case want == "":
	case !errors.As(err, &r):
		t.Fatalf("err = %v, want a refusal for %s", err, want)
	case r.Reason != want:
		t.Fatalf("refused for %s (%v), want %s", r.Reason, err, want)
	}
}

func TestCheckName(t *testing.T) {
	listed := func(n string) bool { return n == "api.openai.com" }
	public := mustPolicy(t, Options{Listed: listed})
	onlyListed := mustPolicy(t, Options{Mode: ModeListed, Listed: listed})
	withRange := mustPolicy(t, Options{Allow: []string{"10.0.0.0/8"}})
	for _, tc := range []struct {
		name    string
		p       *Policy
		purpose Purpose
		host    string
		port    uint16
		want    Reason
	}{
		{"localhost", public, Forward, "localhost", 9090, Internal},
		{"LOCALHOST.", public, Forward, "LOCALHOST.", 9090, Internal},
		{"a.localhost", public, Forward, "a.localhost", 80, Internal},
		{"v6 literal", public, Tunnel, "[::1]", 443, Internal},
		{"a name is judged at the dial", public, Tunnel, "example.com", 443, ""},
		{"a tunnel's port needs no lookup", public, Tunnel, "example.com", 25, Port},
		{"an address entry may open the name's address", withRange, Tunnel, "db.internal", 25, ""},
		{"unlisted name", onlyListed, Forward, "example.com", 443, NotListed},
		{"listed name", onlyListed, Forward, "API.OPENAI.COM", 443, ""},
		{"not a name", public, Forward, "a b", 80, BadTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertReason(t, tc.p.CheckName(tc.purpose, tc.host, tc.port), tc.want)
		})
	}
}

func TestRefusalSaysHowToAllow(t *testing.T) {
	p := mustPolicy(t, Options{})
	err := p.Check(Tunnel, "169.254.169.254", netip.MustParseAddr("169.254.169.254"), 80)
	for _, want := range []string{"169.254.169.254:80", "link-local", "egress.allow", "NO_PROXY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	if _, err := New(Options{Mode: "open"}); err == nil {
		t.Error("mode open accepted")
	}
	if _, err := New(Options{Allow: []string{"10.0.0.0/99"}}); err == nil || !strings.Contains(err.Error(), "egress.allow") {
		t.Errorf("bad entry: %v", err)
	}
}
