package mitm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestServerConfigHandshake(t *testing.T) {
	ca, leaves := newTestLeaves(t, 0)
	tests := []struct {
		name        string
		connectHost string   // the CONNECT target's host
		serverName  string   // the client's tls.Config.ServerName
		protos      []string // the client's ALPN offer
		wantSNI     string   // what the server hears; Go sends none for an IP
		wantCert    string   // the name the client verifies the leaf for
		wantProto   string
	}{
		{"SNI", "api.openai.com", "api.openai.com", []string{"h2", "http/1.1"}, "api.openai.com", "api.openai.com", "h2"},
		{"SNI equal but for case and dot", "API.OpenAI.com.", "api.openai.com", []string{"h2", "http/1.1"}, "api.openai.com", "api.openai.com", "h2"},
		{"HTTP/1.1 client", "api.openai.com", "api.openai.com", []string{"http/1.1"}, "api.openai.com", "api.openai.com", "http/1.1"},
		{"no SNI: the CONNECT host's", "api.openai.com", "127.0.0.1", []string{"h2", "http/1.1"}, "", "api.openai.com", "h2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, server := serveOnce(t, leaves.ServerConfig(tt.connectHost, nil))
			cfg := &tls.Config{RootCAs: pool(ca), ServerName: tt.serverName, NextProtos: tt.protos}
			if tt.wantCert != tt.serverName {
				verifyAs(cfg, tt.wantCert)
			}
			state, err := handshake(t, addr, cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := <-server
			if srv.err != nil {
				t.Fatal(srv.err)
			}
			if state.NegotiatedProtocol != tt.wantProto || srv.state.ServerName != tt.wantSNI {
				t.Errorf("protocol %q, server heard SNI %q", state.NegotiatedProtocol, srv.state.ServerName)
			}
			if err := state.PeerCertificates[0].VerifyHostname(tt.wantCert); err != nil {
				t.Error(err)
			}
		})
	}
}

// A connection gets a certificate for its CONNECT host and nothing else:
// an SNI naming any other host — another intercepted one included — and a
// CONNECT to an IP address or to a name outside the CA fail the handshake,
// and whoever asked to hear of refusals hears why.
func TestServerConfigRefuses(t *testing.T) {
	ca, leaves := newTestLeaves(t, 0)
	tests := []struct {
		name        string
		connectHost string
		serverName  string
		want        error
	}{
		{"SNI of a site not intercepted", "api.openai.com", "www.google.com", ErrSNIMismatch},
		{"SNI of another intercepted host", "api.openai.com", "api.anthropic.com", ErrSNIMismatch},
		{"IP CONNECT host, no SNI", "127.0.0.1", "127.0.0.1", ErrIPName},
		{"CONNECT host outside the CA", "www.google.com", "www.google.com", ErrNotPermitted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var heard []string
			cfg := leaves.ServerConfig(tt.connectHost, func(hello *tls.ClientHelloInfo, err error) {
				heard = append(heard, hello.ServerName+": "+err.Error())
			})
			addr, server := serveOnce(t, cfg)
			client := &tls.Config{RootCAs: pool(ca), ServerName: tt.serverName}
			if _, err := handshake(t, addr, client); err == nil {
				t.Fatal("the client completed a handshake")
			}
			srv := <-server
			if !errors.Is(srv.err, tt.want) {
				t.Fatalf("server error %v, want %v", srv.err, tt.want)
			}
			if len(heard) != 1 || !strings.Contains(heard[0], tt.want.Error()) {
				t.Errorf("refusals heard: %q", heard)
			}
			if n := leaves.Minted(); n != 0 {
				t.Errorf("minted %d leaves", n)
			}
		})
	}
}

// Go never sends an IP address as SNI, but other clients may: a
// ClientHello naming one is refused like any other mismatch, and a
// CONNECT to an IP address gets no certificate even when the SNI agrees.
func TestServerConfigRefusesIPNames(t *testing.T) {
	_, leaves := newTestLeaves(t, 0)
	hello := &tls.ClientHelloInfo{ServerName: "10.0.0.1"}
	if _, err := leaves.ServerConfig("api.openai.com", nil).GetConfigForClient(hello); !errors.Is(err, ErrSNIMismatch) {
		t.Errorf("IP SNI after CONNECT api.openai.com: %v", err)
	}
	cfg := leaves.ServerConfig("10.0.0.1", nil)
	if _, err := cfg.GetConfigForClient(hello); err != nil {
		t.Fatalf("an SNI equal to the CONNECT host was refused before the certificate: %v", err)
	}
	if _, err := cfg.GetCertificate(hello); !errors.Is(err, ErrIPName) {
		t.Errorf("IP SNI after CONNECT to that IP: %v", err)
	}
}

func TestServerConfigRefusesTLS11(t *testing.T) {
	_, leaves := newTestLeaves(t, 0)
	addr, server := serveOnce(t, leaves.ServerConfig("api.openai.com", nil))
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	if _, err := handshake(t, addr, cfg); err == nil {
		t.Error("a TLS 1.1 client completed a handshake")
	}
	if srv := <-server; srv.err == nil {
		t.Error("the server accepted TLS 1.1")
	}
}

// TestServerConfigResumesAcrossConnections checks that configs made for
// separate connections share a ticket key.
func TestServerConfigResumesAcrossConnections(t *testing.T) {
	ca, leaves := newTestLeaves(t, 0)
	cfg := &tls.Config{RootCAs: pool(ca), ServerName: "api.openai.com", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	for i, wantResumed := range []bool{false, true} {
		addr, server := serveOnce(t, leaves.ServerConfig("api.openai.com", nil))
		state, err := handshake(t, addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if srv := <-server; srv.err != nil || state.DidResume != wantResumed {
			t.Errorf("connection %d: resumed %v, want %v (server error %v)", i, state.DidResume, wantResumed, srv.err)
		}
	}
}

// verifyAs makes a client check the leaf for name rather than its
// ServerName: a client that dials an IP sends no SNI yet may expect the
// CONNECT host's certificate.
func verifyAs(cfg *tls.Config, name string) {
	roots := cfg.RootCAs
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots})
		return err
	}
}

type serverResult struct {
	state tls.ConnectionState
	err   error
}

// serveOnce accepts one TLS connection on a loopback port, reports its
// handshake, then writes one byte: a TLS 1.3 client takes in the session
// ticket sent before it while reading that byte.
func serveOnce(t *testing.T, cfg *tls.Config) (string, <-chan serverResult) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	done := make(chan serverResult, 1)
	go func() {
		conn, err := tls.NewListener(l, cfg).Accept()
		if err != nil {
			done <- serverResult{err: err}
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		err = tc.HandshakeContext(context.Background())
		done <- serverResult{state: tc.ConnectionState(), err: err}
		if err == nil {
			tc.Write([]byte{1})
		}
	}()
	return l.Addr().String(), done
}

// handshake dials addr, completes a handshake, reads the server's byte and
// closes.
func handshake(t *testing.T, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(t.Context(), "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hung server fails the test, not the run
	_, err = conn.Read(make([]byte, 1))
	return conn.(*tls.Conn).ConnectionState(), err
}
