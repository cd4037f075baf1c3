package egress

import (
	"errors"
	"net"
	"net/netip"
	"testing"
)

// FuzzCheckName feeds the decision every spelling of a host a client
// could send — IPv4-mapped and NAT64 IPv6, decimal and octal IPv4, trailing
// dots, upper case, IDN — and checks that whatever it allows by name is
// something whose address, once known, is judged alike, and that nothing
// internal is let through as a literal.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "[::ffff:127.0.0.1]", "2130706433", "0177.0.0.1", "0x7f.1", "LOCALHOST.",
		"169.254.169.254", "[fd00:ec2::254]", "api.openai.com.", "API.OPENAI.COM", "bücher.example", "xn--bcher-kva.example",
		"[::1%25lo]", "[64:ff9b::7f00:1]", "10.0.0.1", "8.8.8.8", "", "[", "a..b", "*.example.com"} {
		f.Add(s, uint16(443))
	}
	own := &Listeners{}
	own.Set(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090})
	p, err := New(Options{Own: own, Listed: func(n string) bool { return n == "api.openai.com" }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host string, port uint16) {
		err := p.CheckName(Tunnel, host, port)
		var r *Refusal
		if err != nil && !errors.As(err, &r) {
			t.Fatalf("CheckName(%q) = %v, not a refusal", host, err)
		}
		if err != nil {
			_ = r.Error() // a message for any input
			return
		}
		if ip, perr := netip.ParseAddr(trimBrackets(host)); perr == nil {
			if Classify(ip) != Public {
				t.Fatalf("CheckName let the %s literal %q through", Classify(ip), host)
			}
			if own.Has(ip, port) {
				t.Fatalf("CheckName let the own listener %q:%d through", host, port)
			}
		}
		if port != 443 {
			t.Fatalf("a tunnel to port %d of %q passed", port, host)
		}
	})
}

func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}

// FuzzParseAllow checks that any entry either parses or says why, and that
// a parsed entry never opens every address by accident.
func FuzzParseAllow(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "[fd00::/8]:443", "*.svc.cluster.local", "host:80", "::", "0.0.0.0/0", ":", "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseEntry(s)
		if err != nil {
			return
		}
		if e.name == "" && !e.prefix.IsValid() {
			t.Fatalf("%q parsed into an entry that names nothing", s)
		}
		if e.name != "" && e.prefix.IsValid() {
			t.Fatalf("%q parsed into both a name and an address", s)
		}
	})
}
