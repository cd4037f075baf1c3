package egress

import "net/netip"

// Class says why an address is not a public one; "" is public.
type Class string

// The classes of internal addresses.
const (
	Public        Class = ""
	Unspecified   Class = "unspecified"
	Loopback      Class = "loopback"
	LinkLocal     Class = "link-local"
	Private       Class = "private"
	UniqueLocal   Class = "unique-local"
	SharedCGNAT   Class = "shared (carrier-grade NAT)"
	Multicast     Class = "multicast"
	Reserved      Class = "reserved"
	Documentation Class = "documentation"
)

// special are the IANA special-purpose ranges that are not public unicast,
// most specific first where they nest. Loopback, link-local, private and
// the others that netip reports by method are judged before this table.
var special = []struct {
	p     netip.Prefix
	class Class
}{
	{netip.MustParsePrefix("0.0.0.0/8"), Unspecified}, // "this network": Linux connects 0.x to the host itself
	{netip.MustParsePrefix("100.64.0.0/10"), SharedCGNAT},
	{netip.MustParsePrefix("192.0.0.0/24"), Reserved}, // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), Documentation},
	{netip.MustParsePrefix("198.18.0.0/15"), Reserved}, // benchmarking
	{netip.MustParsePrefix("198.51.100.0/24"), Documentation},
	{netip.MustParsePrefix("203.0.113.0/24"), Documentation},
	{netip.MustParsePrefix("240.0.0.0/4"), Reserved},   // with 255.255.255.255
	{netip.MustParsePrefix("64:ff9b:1::/48"), Private}, // local-use NAT64
	{netip.MustParsePrefix("100::/64"), Reserved},      // discard-only
	{netip.MustParsePrefix("2001::/23"), Reserved},     // IETF protocol assignments, Teredo among them
	{netip.MustParsePrefix("2001:db8::/32"), Documentation},
	{netip.MustParsePrefix("fec0::/10"), Private}, // deprecated site-local
	{netip.MustParsePrefix("::/8"), Reserved},     // what is left of it once the embedded forms are read
}

// Classify says whether ip is public and, if not, what it is. An IPv6
// address that carries an IPv4 one — IPv4-mapped (::ffff:a.b.c.d),
// IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4
// (2002:aabb:ccdd::) — is judged by the IPv4 address it reaches.
func Classify(ip netip.Addr) Class {
	ip = embedded(ip.WithZone(""))
	switch {
	case !ip.IsValid(), ip.IsUnspecified():
		return Unspecified
	case ip.IsLoopback():
		return Loopback
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return LinkLocal
	case ip.Is4() && ip.IsPrivate():
		return Private
	case ip.IsPrivate(): // fc00::/7
		return UniqueLocal
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return Multicast
	}
	for _, s := range special {
		if s.p.Contains(ip) {
			return s.class
		}
	}
	return Public
}

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	compat4 = netip.MustParsePrefix("::/96")
)

// embedded is the IPv4 address an IPv6 one reaches, or ip itself.
func embedded(ip netip.Addr) netip.Addr {
	if !ip.Is6() {
		return ip
	}
	if ip.Is4In6() {
		return ip.Unmap()
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16]))
	case sixTo4.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6]))
	case compat4.Contains(ip) && !ip.IsUnspecified() && !ip.IsLoopback():
		return netip.AddrFrom4([4]byte(b[12:16]))
	}
	return ip
}
