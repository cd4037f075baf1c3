package proxy

import (
	"net"
	"net/http"

	"github.com/llm-simulator/llm-simulator/faults"
)

// abort drops the client's connection and unwinds the handler; faults
// reach it through faults.Exchange.Abort. The request's record says the
// response was aborted or reset, unless the caller noted more exactly
// what it ended (a hang, a cut).
//
// HTTP/2 can only reset the one stream, which panic(http.ErrAbortHandler)
// does. HTTP/1 takes the connection over: a reset sets SO_LINGER to 0 so
// closing sends an RST rather than a FIN. The panic then unwinds the
// source; net/http treats ErrAbortHandler as a deliberate abort.
func (x *exchange) abort(reset bool) {
	ending := faults.EndedAborted
	if reset {
		ending = faults.EndedReset
	}
	x.fx.End(ending) // unless the fault that aborts said what it ended
	if x.r.ProtoMajor < 2 {
		if conn, _, err := http.NewResponseController(x.w).Hijack(); err == nil {
			if tcp := tcpConn(conn); tcp != nil && reset {
				_ = tcp.SetLinger(0)
			}
			_ = conn.Close()
		}
	}
	panic(http.ErrAbortHandler)
}

// tcpConn is the TCP connection under c — under TLS, for an intercepted
// connection, or under a taken-over CONNECT's wrapper — or nil.
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}
