package mitm

import (
	"crypto/rand"
	"crypto/tls"
)

// ServerConfig returns the TLS configuration for one intercepted
// connection: HTTP/2 or HTTP/1.1 by ALPN, TLS 1.2 or later, and the leaf
// for the client's SNI name or, when the client sent none (as clients do
// for an IP address), for fallback: the CONNECT target's host, without
// its port.
//
// It clones a base made once. That costs about as much as a new Config
// literal (two allocations, a few hundred nanoseconds, nothing beside a
// handshake) and carries the base's session ticket key, so a client that
// resumes a session on its next connection skips the certificate and the
// signature.
func (l *Leaves) ServerConfig(fallback string) *tls.Config {
	cfg := l.base.Clone()
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if hello.ServerName != "" {
			return l.Get(hello.ServerName)
		}
		return l.Get(fallback)
	}
	return cfg
}

// newBaseConfig returns the settings every intercepted connection shares.
// Its session ticket key is fixed for the life of the Leaves: a config of
// its own per connection would otherwise get its own key and no ticket
// could ever be redeemed on another connection.
func newBaseConfig() *tls.Config {
	cfg := &tls.Config{
		NextProtos: []string{"h2", "http/1.1"},
		MinVersion: tls.VersionTLS12,
	}
	var ticketKey [32]byte
	rand.Read(ticketKey[:])
	cfg.SetSessionTicketKeys([][32]byte{ticketKey})
	return cfg
}
