// Package mitm holds what the proxy needs to terminate TLS for an
// intercepted host: a local certificate authority and a cache of leaf
// certificates minted from it.
//
//	CONNECT api.openai.com:443 ─► proxy hijacks the connection
//	  tls.Server(conn, leaves.ServerConfig("api.openai.com", refused))
//	    ClientHello: an SNI other than api.openai.com ─► handshake fails
//	    ─► Leaves.Get("api.openai.com") ─► LRU hit, or one mint per name
//	       (never for an IP address or a name outside the CA) ─► CA signs
//	  ─► the decrypted request goes on to the dispatcher
//
// Why a local CA: the client must trust whatever certificate the proxy
// presents for api.openai.com. A CA generated on this machine on first run
// (LoadOrCreate) and trusted by the user once is the only safe way to get
// there; a key shipped inside the binary would let anyone who downloaded it
// impersonate any site to every user who trusted it. The key file is 0600
// and the CA type never prints it.
//
// Why name constraints: a trusted CA that can sign for any name makes its
// key a universal interception key — whoever copies ca-key.pem can
// impersonate the user's bank to every client that trusts the CA. Each
// CA made here carries a critical name-constraints extension permitting
// only the subtrees of the hosts it was made for (Spec.Hosts: the
// providers' API hosts, never a parent such as googleapis.com) and
// excluding every IP address, and it signs server certificates only; a
// client enforcing the constraints (Go, OpenSSL, BoringSSL, NSS, rustls)
// rejects anything else it signs. CheckCovers refuses a CA without them,
// or one that does not cover the hosts to intercept, and Rotate makes a
// new one. A year's validity bounds how long a copied key is worth
// anything.
//
// Why a leaf for the CONNECT host alone: a client that opened a tunnel to
// api.openai.com and then asks, by SNI, for www.google.com is not talking
// to an LLM API; minting for it would turn every intercepted tunnel into
// an impersonation of any permitted host. The handshake fails instead.
//
// Why one leaf key: generating a key is the expensive part of minting.
// Every leaf a Leaves mints certifies the same ECDSA P-256 key, generated
// once, so a new host costs one signature. The leaf key protects nothing
// the CA key does not already protect.
//
// Why singleflight: a client usually opens several connections to a host
// at once. Without coordination each handshake that misses the cache would
// mint its own certificate; with it the first mints and the rest wait for
// that result, so a name is minted once however many handshakes race.
//
// Example:
//
//	dir, err := mitm.DefaultDir()
//	...
//	ca, err := mitm.LoadOrCreate(dir, mitm.Spec{Hosts: []string{"api.openai.com"}})
//	...
//	if err := ca.CheckCovers(interceptHosts); err != nil { ... }
//	leaves, err := mitm.NewLeaves(ca, 0)
//	...
//	tlsConn := tls.Server(hijacked, leaves.ServerConfig(connectHost, nil))
package mitm
