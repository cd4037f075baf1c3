package egress

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseAllowRefusesWhatIsNotATarget(t *testing.T) {
	for _, s := range []string{"", ":80", "10.0.0.0/33", "10.0.0.0/8:0", "host:99999", "a/b", "[::1", "[::1]x",
		"fe80::1%eth0", "*.*.example.com", "bad host", "host:http"} {
		if err := ParseAllow(s); err == nil {
			t.Errorf("ParseAllow(%q) = nil, want an error", s)
		}
	}
	for _, s := range []string{"llm.internal", "LLM.Internal.", "*.svc.cluster.local", "10.0.0.0/8", "10.0.0.5:5432",
		"[fd00::1]:8000", "fd00::/8", "[fd00::/8]:443", "localhost:11434", "bücher.example"} {
		if err := ParseAllow(s); err != nil {
			t.Errorf("ParseAllow(%q) = %v", s, err)
		}
	}
}

func TestEntryMatches(t *testing.T) {
	for _, tc := range []struct {
		entry, name, ip string
		port            uint16
		want            bool
	}{
		{"llm.internal", "llm.internal", "10.0.0.1", 8000, true},
		{"llm.internal:8000", "llm.internal", "10.0.0.1", 8001, false},
		{"*.svc.cluster.local", "vllm.ns.svc.cluster.local", "10.0.0.1", 80, true},
		{"*.svc.cluster.local", "svc.cluster.local", "10.0.0.1", 80, false},
		{"*.svc.cluster.local", "evilsvc.cluster.local", "10.0.0.1", 80, false},
		{"10.0.0.0/8", "whatever", "10.9.9.9", 22, true},
		{"10.0.0.0/8", "whatever", "::ffff:10.9.9.9", 22, true},
		{"10.0.0.0/8", "whatever", "11.0.0.1", 22, false},
		{"127.0.0.1:11434", "localhost", "127.0.0.1", 11434, true},
		{"127.0.0.1:11434", "localhost", "127.0.0.1", 11435, false},
		{"[fd00::1]:8000", "x", "fd00::1", 8000, true},
		{"bücher.example", "xn--bcher-kva.example", "10.0.0.1", 80, true},
	} {
		t.Run(tc.entry+"/"+tc.name, func(t *testing.T) {
			e, err := parseEntry(tc.entry)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := Normalize(tc.name)
			ip := canonical(netip.MustParseAddr(tc.ip))
			if got := e.matchName(n, tc.port) || e.matchAddr(ip, tc.port); got != tc.want {
				t.Errorf("%q opens %s (%s) port %d: %v, want %v", tc.entry, tc.name, tc.ip, tc.port, got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"API.OpenAI.com.": "api.openai.com", "[::1]": "::1", "Bücher.Example": "xn--bcher-kva.example"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", ".", "a b", "a/b", "user@host", strings.Repeat("x", 64) + "\u00e9.com"} {
		if got, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, ok; want not ok", in, got)
		}
	}
}
