package egress

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// entry is one item of egress.allow: a host name ("llm.internal"), a
// wildcard for every name below a domain ("*.svc.cluster.local"), an IP
// address or a CIDR range, each with an optional port.
type entry struct {
	raw    string
	name   string       // a host name, lower-case ASCII; "" for an address entry
	suffix bool         // name is ".domain": any name below it, not the domain itself
	prefix netip.Prefix // an address entry: a single address is a /32 or /128
	port   uint16       // 0: any port
}

// ParseAllow checks an egress.allow entry, for the config's validation;
// the error says what is wrong with it.
func ParseAllow(s string) error {
	_, err := parseEntry(s)
	return err
}

func parseEntry(s string) (entry, error) {
	e := entry{raw: s}
	host, port, err := splitPort(strings.TrimSpace(s))
	if err != nil {
		return e, err
	}
	e.port = port
	if host == "" {
		return e, fmt.Errorf("%q names no host", s)
	}
	if p, err := netip.ParsePrefix(host); err == nil {
		e.prefix = p.Masked()
		return e, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return e, fmt.Errorf("%q: an address with a zone cannot be allowed; give the address alone", s)
		}
		e.prefix = netip.PrefixFrom(ip, ip.BitLen())
		return e, nil
	}
	if strings.Contains(host, "/") {
		return e, fmt.Errorf("%q is not a CIDR range such as 10.0.0.0/8", s)
	}
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		e.suffix, host = true, rest
	}
	name, ok := Normalize(host)
	if !ok || strings.Contains(name, "*") {
		return e, fmt.Errorf("%q is not a host name, *.domain, IP address or CIDR range", s)
	}
	e.name = name
	if e.suffix {
		e.name = "." + name
	}
	return e, nil
}

// splitPort takes an optional :port off an entry. A bare IPv6 address or
// range has colons of its own: its port needs brackets ([fd00::1]:8000).
func splitPort(s string) (string, uint16, error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("%q has no closing ]", s)
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, 0, nil
		}
		if rest[0] != ':' {
			return "", 0, fmt.Errorf("%q: only :port may follow ]", s)
		}
		p, err := parsePort(rest[1:])
		return host, p, err
	}
	if strings.Count(s, ":") != 1 {
		return s, 0, nil
	}
	host, ps, _ := strings.Cut(s, ":")
	p, err := parsePort(ps)
	return host, p, err
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return uint16(n), nil
}

// Normalize is a host name as names compare: lower-case ASCII (an
// internationalised name in its xn-- form), no trailing dot, no brackets.
// ok is false for what cannot be a host name.
func Normalize(host string) (name string, ok bool) {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" || strings.ContainsAny(host, " /\\@?#%") {
		return "", false
	}
	if isASCII(host) {
		return strings.ToLower(host), true
	}
	a, err := lookupIDNA.ToASCII(host)
	if err != nil {
		return "", false
	}
	return a, true
}

// lookupIDNA converts names as a resolver would look them up, refusing
// labels longer than DNS allows.
var lookupIDNA = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true))

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// matchName reports whether e opens the normalised name on port.
func (e *entry) matchName(name string, port uint16) bool {
	if e.name == "" || (e.port != 0 && e.port != port) {
		return false
	}
	if e.suffix {
		return strings.HasSuffix(name, e.name)
	}
	return name == e.name
}

// matchAddr reports whether e opens ip on port.
func (e *entry) matchAddr(ip netip.Addr, port uint16) bool {
	if !e.prefix.IsValid() || (e.port != 0 && e.port != port) {
		return false
	}
	return e.prefix.Contains(ip) || e.prefix.Contains(embedded(ip))
}
