package egress

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"syscall"
)

type policyKey struct{}

// WithPolicy returns ctx carrying p, for the dials made under it: an
// http.Transport hands a request's context values on to its DialContext.
func WithPolicy(ctx context.Context, p *Policy) context.Context {
	return context.WithValue(ctx, policyKey{}, p)
}

// FromContext is the policy ctx carries, or Strict.
func FromContext(ctx context.Context) *Policy {
	if p, ok := ctx.Value(policyKey{}).(*Policy); ok && p != nil {
		return p
	}
	return Strict
}

// Dialer dials for one purpose under the policy its context carries.
type Dialer struct {
	// Dialer holds the timeouts and keep-alive; its Control and
	// ControlContext are replaced.
	net.Dialer
	Purpose Purpose
}

// DialContext judges addr by name, then connects with each address the
// name resolves to judged before connect(2); a refusal is a *Refusal,
// wrapped in the *net.OpError when the dial refused it.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	p := FromContext(ctx)
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &Refusal{Target: addr, Reason: BadTarget}
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, &Refusal{Target: addr, Reason: BadTarget}
	}
	if err := p.CheckName(d.Purpose, host, uint16(port)); err != nil {
		return nil, err
	}
	nd := d.Dialer
	nd.Control = nil
	nd.ControlContext = func(_ context.Context, _, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &Refusal{Target: addr, Reason: BadTarget}
		}
		return p.Check(d.Purpose, host, ap.Addr(), ap.Port())
	}
	return nd.DialContext(ctx, network, addr)
}
