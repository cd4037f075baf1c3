package mitm

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
)

// ErrSNIMismatch is why a handshake whose SNI names a host other than the
// CONNECT target's gets no certificate.
var ErrSNIMismatch = errors.New("the client's SNI is not the host it asked the proxy to CONNECT to")

// ServerConfig returns the TLS configuration for one intercepted
// connection: HTTP/2 or HTTP/1.1 by ALPN, TLS 1.2 or later, and the leaf
// for connectHost, the CONNECT target's host without its port — the one
// name this connection may have a certificate for. A client whose SNI
// names another host (www.google.com through a CONNECT to api.openai.com)
// fails its handshake with ErrSNIMismatch, checked before a session is
// resumed as well as before a certificate is chosen, so a tunnel opened
// for one intercepted host can never be made to mint a certificate for, or
// resume a session as, anything else; a client that sent no SNI gets
// connectHost's. An IP address gets no certificate at all (Get says why).
// refused, when not nil, hears of each handshake failed so, with the
// reason.
//
// It clones a base made once. That costs about as much as a new Config
// literal (a few allocations, a few hundred nanoseconds, nothing beside a
// handshake) and carries the base's session ticket key, so a client that
// resumes a session on its next connection skips the certificate and the
// signature.
func (l *Leaves) ServerConfig(connectHost string, refused func(*tls.ClientHelloInfo, error)) *tls.Config {
	cfg := l.base.Clone()
	host := canonicalName(connectHost)
	report := func(hello *tls.ClientHelloInfo, err error) error {
		if refused != nil {
			refused(hello, err)
		}
		return err
	}
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		if sni := canonicalName(hello.ServerName); sni != "" && sni != host {
			return nil, report(hello, fmt.Errorf("mitm: SNI %q after CONNECT %q: %w", sni, host, ErrSNIMismatch))
		}
		return nil, nil // this config, as it is
	}
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		cert, err := l.Get(host)
		if err != nil {
			return nil, report(hello, err)
		}
		return cert, nil
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
