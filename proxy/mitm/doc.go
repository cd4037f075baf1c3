// Package mitm holds what the proxy needs to terminate TLS for an
// intercepted host: a local certificate authority and a cache of leaf
// certificates minted from it.
//
//	CONNECT api.openai.com:443 ─► proxy hijacks the connection
//	  tls.Server(conn, leaves.ServerConfig("api.openai.com"))
//	    ClientHello (SNI, or the CONNECT host when the client sent none)
//	    ─► Leaves.Get(name) ─► LRU hit, or one mint per name ─► CA signs
//	  ─► the decrypted request goes on to the dispatcher
//
// Why a local CA: the client must trust whatever certificate the proxy
// presents for api.openai.com. A CA generated on this machine on first run
// (LoadOrCreate) and trusted by the user once is the only safe way to get
// there; a key shipped inside the binary would let anyone who downloaded it
// impersonate any site to every user who trusted it. The key file is 0600
// and the CA type never prints it.
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
//	ca, err := mitm.LoadOrCreate(dir)
//	...
//	leaves, err := mitm.NewLeaves(ca, 0)
//	...
//	tlsConn := tls.Server(hijacked, leaves.ServerConfig(connectHost))
package mitm
