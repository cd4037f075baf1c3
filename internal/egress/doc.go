// Package egress decides where the proxy may connect on a client's
// behalf, and enforces it on the address actually dialled.
//
//	CONNECT host:443 ─────────────┐
//	absolute-form http://host/… ──┼─► Policy.Check(purpose, name, ip, port)
//	forward to a client-named host┘     own listener?   refused, unless allow names it with its port
//	                                    allow entry?    allowed
//	                                    internal ip?    refused (loopback, link-local, private, …)
//	                                    mode listed?    only intercept/provider hosts
//	                                    tunnel port?    443 only
//	forward to a configured upstream ─► own listener?   refused; anything else allowed
//
// Why on the dialled address: a name is only a promise. The check runs in
// the net.Dialer's ControlContext, after resolution and before connect(2),
// once per attempt — so decimal, octal, hex and IPv4-mapped spellings,
// DNS answers that change between two lookups (rebinding) and the second
// address a happy-eyeballs dial tries are all judged as the socket that
// would carry them. A name is judged too (CheckName) where nothing is
// dialled, or to refuse before a DNS lookup what no address could make
// allowed.
//
// Why own listeners apart: an allow entry such as 10.0.0.0/8, written to
// reach cluster services, also covers the pod's own address and with it
// the admin API. Only an entry naming that port opens it.
//
// The package imports nothing of ours; the proxy builds a Policy from the
// config and puts it in the context of each dial it makes (WithPolicy).
package egress
