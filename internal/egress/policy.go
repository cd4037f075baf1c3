package egress

import (
	"fmt"
	"net/netip"
	"strings"
)

// The modes: which public hosts may be reached.
const (
	// ModePublic reaches any public address: tunnels on port 443,
	// forwards on any port.
	ModePublic = "public"
	// ModeListed reaches only the intercepted hosts, the providers' hosts
	// and egress.allow.
	ModeListed = "listed"
)

// Purpose is why the proxy dials.
type Purpose uint8

const (
	// Tunnel is a blind CONNECT tunnel to the host the client named.
	Tunnel Purpose = iota
	// Forward is a request forwarded to the host the client named.
	Forward
	// Upstream is a provider's configured upstream, dialled for that
	// provider's traffic: the config named it, so only the process's own
	// listeners are refused.
	Upstream
)

// Options configure a Policy. The zero value is ModePublic with nothing
// allowed.
type Options struct {
	// Mode is ModePublic (also for "") or ModeListed.
	Mode string
	// Allow are the egress.allow entries (see ParseAllow).
	Allow []string
	// Listed reports whether a host name (normalised, no port) is an
	// intercepted host or a provider's; nil lists none.
	Listed func(name string) bool
	// Own are the process's listeners; nil has none.
	Own *Listeners
}

// Policy decides which targets the proxy may reach for a client. It is
// immutable once made and safe for concurrent use.
type Policy struct {
	listed bool
	allow  []entry
	isList func(string) bool
	own    *Listeners
}

// Strict is the policy of a dial that carries none: public mode, nothing
// allowed.
var Strict = &Policy{}

// New makes a Policy; the error names an entry or mode that is wrong.
func New(o Options) (*Policy, error) {
	p := &Policy{isList: o.Listed, own: o.Own}
	switch o.Mode {
	case "", ModePublic:
	case ModeListed:
		p.listed = true
	default:
		return nil, fmt.Errorf("egress.mode %q is not %s or %s", o.Mode, ModePublic, ModeListed)
	}
	for _, s := range o.Allow {
		e, err := parseEntry(s)
		if err != nil {
			return nil, fmt.Errorf("egress.allow: %w", err)
		}
		p.allow = append(p.allow, e)
	}
	return p, nil
}

// Check judges a dial of ip:port made for purpose to reach name, the
// host as the client named it (an address, or a name that resolved to
// ip). nil allows it; otherwise the error is a *Refusal.
func (p *Policy) Check(purpose Purpose, name string, ip netip.Addr, port uint16) error {
	ip = canonical(ip)
	norm, _ := Normalize(name)
	if p.own.Has(ip, port) && !p.allowsPort(norm, ip, port) {
		return p.refuse(name, ip, port, OwnListener, "")
	}
	if purpose == Upstream || p.allows(norm, ip, port) {
		return nil
	}
	if c := Classify(ip); c != Public {
		return p.refuse(name, ip, port, Internal, c)
	}
	return p.checkPublic(purpose, norm, name, ip, port)
}

// checkPublic judges a public address by the mode and the port.
func (p *Policy) checkPublic(purpose Purpose, norm, name string, ip netip.Addr, port uint16) error {
	if p.listed && !p.isListed(norm) {
		return p.refuse(name, ip, port, NotListed, "")
	}
	if purpose == Tunnel && port != 443 {
		return p.refuse(name, ip, port, Port, "")
	}
	return nil
}

// CheckName judges a target by its name alone, before any lookup: what
// an address literal is, and what no address could make allowed. nil
// means a dial may still be refused once the name resolves.
func (p *Policy) CheckName(purpose Purpose, host string, port uint16) error {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return p.Check(purpose, host, ip, port)
	}
	norm, ok := Normalize(host)
	if !ok {
		return &Refusal{Target: joinHostPort(host, port), Reason: BadTarget}
	}
	if purpose == Upstream || p.allowsName(norm, port) || p.hasAddrEntries(port) {
		return nil // an address entry may still open what the name resolves to
	}
	if norm == "localhost" || strings.HasSuffix(norm, ".localhost") {
		return p.refuse(host, netip.Addr{}, port, Internal, Loopback) // it never resolves anywhere else
	}
	return p.checkPublic(purpose, norm, host, netip.Addr{}, port)
}

func (p *Policy) isListed(norm string) bool { return p.isList != nil && p.isList(norm) }

// allows reports whether an allow entry opens the name or the address.
func (p *Policy) allows(norm string, ip netip.Addr, port uint16) bool {
	for i := range p.allow {
		if p.allow[i].matchName(norm, port) || p.allow[i].matchAddr(ip, port) {
			return true
		}
	}
	return false
}

// allowsPort is allows limited to entries that name the port: the only
// ones that open one of the process's own listeners.
func (p *Policy) allowsPort(norm string, ip netip.Addr, port uint16) bool {
	for i := range p.allow {
		e := &p.allow[i]
		if e.port == port && (e.matchName(norm, port) || e.matchAddr(ip, port)) {
			return true
		}
	}
	return false
}

func (p *Policy) allowsName(norm string, port uint16) bool {
	for i := range p.allow {
		if p.allow[i].matchName(norm, port) {
			return true
		}
	}
	return false
}

func (p *Policy) hasAddrEntries(port uint16) bool {
	for i := range p.allow {
		if e := &p.allow[i]; e.prefix.IsValid() && (e.port == 0 || e.port == port) {
			return true
		}
	}
	return false
}

func (p *Policy) refuse(name string, ip netip.Addr, port uint16, r Reason, c Class) *Refusal {
	return &Refusal{Target: joinHostPort(name, port), Addr: ip, Reason: r, Class: c}
}

func joinHostPort(host string, port uint16) string {
	host = strings.Trim(host, "[]")
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s:%d", host, port)
}
