package egress

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Reason names the check a target failed, as metrics label it.
type Reason string

// The reasons a target is refused.
const (
	OwnListener Reason = "own-listener" // the proxy's or the admin API's own address
	Internal    Reason = "internal"     // loopback, link-local, private and other non-public ranges
	NotListed   Reason = "not-listed"   // egress.mode listed, and the host is not among them
	Port        Reason = "port"         // a tunnel to a port other than 443
	BadTarget   Reason = "bad-target"   // no host name or address could be made of it
)

// Refusal is the error a refused target gets: from Check, and wrapped in
// the dial error when a dial is refused. Its message says which check
// refused and how to allow the target.
type Refusal struct {
	// Target is the host and port as the client named them.
	Target string
	// Addr is the address that would have been dialled; invalid when the
	// name alone decided.
	Addr netip.Addr
	// Reason is the check that refused.
	Reason Reason
	// Class is what the address is, for Internal.
	Class Class
}

func (r *Refusal) Error() string {
	what := r.Target
	if r.Addr.IsValid() && r.Addr.String() != hostOf(r.Target) {
		what += " (" + r.Addr.String() + ")"
	}
	var why string
	switch r.Reason {
	case OwnListener:
		why = "it is this process's own listener (the proxy or its admin API)"
	case Internal:
		why = "it is a " + string(r.Class) + " address, which the proxy never dials for a client unless egress.allow names it"
	case NotListed:
		why = "egress.mode is listed and it is not an intercepted host, a provider's host or in egress.allow"
	case Port:
		why = "tunnels go to port 443 only unless egress.allow names the host with its port"
	default:
		why = "it is not a host name or address"
	}
	return fmt.Sprintf("llm-simulator egress policy refused %s: %s. %s", what, why, r.hint())
}

// hint says how to open the target, or to keep the app from sending it
// through the proxy at all.
func (r *Refusal) hint() string {
	if r.Reason == BadTarget {
		return "Name a host and port."
	}
	return fmt.Sprintf("To allow it, add %q to egress.allow in the config; or, if the app should reach it directly, add %s to the app's NO_PROXY.",
		r.Target, strconv.Quote(hostOf(r.Target)))
}

// hostOf is target without its port or brackets.
func hostOf(target string) string {
	if ap, err := netip.ParseAddrPort(target); err == nil {
		return ap.Addr().String()
	}
	h, _, _ := splitPort(target)
	return h
}
