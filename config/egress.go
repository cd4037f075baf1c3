package config

import (
	"slices"

	"github.com/llm-simulator/llm-simulator/internal/egress"
	"gopkg.in/yaml.v3"
)

// EgressSpec says where the proxy may connect on a client's behalf: the
// host of a CONNECT it tunnels, and the host of a request it forwards to
// where the client sent it (absolute-form, or an intercepted host).
// Whatever the mode, the process's own listeners, loopback, link-local
// (cloud metadata at 169.254.169.254 among them), private, unique-local
// and other non-public addresses are refused unless Allow names them —
// judged on the address actually dialled, after DNS. A provider's
// configured upstream is always dialled for that provider's forwarded
// traffic; a client naming it directly is judged like any other target.
// A refusal is a 403 that says which check refused and how to allow it.
type EgressSpec struct {
	// Mode is public or listed. public: any public address, tunnels to
	// port 443 only (an app with HTTPS_PROXY set sends its OAuth, STS and
	// telemetry calls through the proxy too). listed: only the intercepted
	// hosts, the providers' hosts and Allow. Default public.
	Mode string `yaml:"mode"`
	// Allow opens targets the rules above refuse: host names
	// ("llm.internal"), every name below a domain ("*.svc.cluster.local"),
	// IP addresses and CIDR ranges ("10.0.0.0/8", "fd00::/8"), each with an
	// optional port ("127.0.0.1:11434", "[fd00::1]:8000"); a name entry
	// opens whatever the name resolves to. The proxy's and admin API's own
	// listeners open only to an entry that names their port. Default none.
	Allow []string `yaml:"allow"`
}

// validateEgress checks the egress section, each problem at its node.
func (c *Config) validateEgress(root *yaml.Node, e *errs) {
	n := lookupKey(root, "egress")
	if m := lookupKey(n, "mode"); m != nil && !slices.Contains([]string{egress.ModePublic, egress.ModeListed}, c.Egress.Mode) {
		e.at(m, "egress.mode must be %s or %s", egress.ModePublic, egress.ModeListed)
	}
	for i, s := range c.Egress.Allow {
		if err := egress.ParseAllow(s); err != nil {
			e.at(seqItem(lookupKey(n, "allow"), i, orNode(n, root)), "egress.allow: %v", err)
		}
	}
}
