package egress

import (
	"net"
	"net/netip"
	"sync/atomic"
)

// Listeners are the process's own listening addresses — the proxy's and
// the admin API's, as bound — which no dial may reach unless an allow
// entry names the port: through them a client of the proxy port would
// reach the admin API, or loop back into the proxy. The zero value holds
// none; it is safe for concurrent use.
type Listeners struct {
	set atomic.Pointer[listenerSet]
}

type listenerSet struct {
	exact map[netip.AddrPort]bool
	// wildcard are the ports bound on every interface (0.0.0.0 or ::):
	// any of this host's addresses reaches them.
	wildcard map[uint16]bool
	local    map[netip.Addr]bool // this host's interface addresses, when wildcard is not empty
}

// Set replaces the listening addresses with addrs (net.Listener.Addr
// values); addresses that are not TCP/IP ones are skipped.
func (l *Listeners) Set(addrs ...net.Addr) {
	s := &listenerSet{exact: map[netip.AddrPort]bool{}, wildcard: map[uint16]bool{}}
	for _, a := range addrs {
		ap, err := netip.ParseAddrPort(a.String())
		if err != nil {
			continue
		}
		ip := canonical(ap.Addr())
		if ip.IsUnspecified() {
			s.wildcard[ap.Port()] = true
			continue
		}
		s.exact[netip.AddrPortFrom(ip, ap.Port())] = true
	}
	if len(s.wildcard) > 0 {
		s.local = interfaceAddrs()
	}
	l.set.Store(s)
}

// Has reports whether a connection to ip:port would reach one of the
// listeners.
func (l *Listeners) Has(ip netip.Addr, port uint16) bool {
	if l == nil {
		return false
	}
	s := l.set.Load()
	if s == nil {
		return false
	}
	ip = canonical(ip)
	if s.exact[netip.AddrPortFrom(ip, port)] {
		return true
	}
	if !s.wildcard[port] {
		return false
	}
	return ip.IsUnspecified() || ip.IsLoopback() || s.local[ip]
}

// interfaceAddrs are this host's addresses, read once when a listener is
// bound on every interface.
func interfaceAddrs() map[netip.Addr]bool {
	m := map[netip.Addr]bool{}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			m[canonical(p.Addr())] = true
		}
	}
	return m
}

// canonical is ip without a zone, an IPv4-mapped address as IPv4.
func canonical(ip netip.Addr) netip.Addr { return ip.WithZone("").Unmap() }
