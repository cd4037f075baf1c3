//go:build !linux

package proxy

import "net"

// inputPending cannot look into the socket here: the claim's
// compare-and-swap against the read is all that keeps a request that
// has just arrived (see heardConn).
func inputPending(net.Conn) bool { return false }

// seesPendingInput says inputPending can look into a socket here.
const seesPendingInput = false
