package mitm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// DefaultCacheSize is how many leaves a Leaves keeps when NewLeaves is
// given a size of zero or less.
const DefaultCacheSize = 1024

// ErrNoName is returned for a leaf asked for without a host name.
var ErrNoName = errors.New("mitm: no host name for the leaf certificate")

// Leaves mints leaf certificates for intercepted hosts from a CA and keeps
// the most recently used ones. It is safe for concurrent use.
type Leaves struct {
	ca    *CA
	key   *ecdsa.PrivateKey // certified by every leaf; see the package doc
	chain [][]byte          // certificates sent after the leaf
	cache *lru.Cache[string, *tls.Certificate]
	// mints holds at most one mint in flight per name.
	mints  singleflight.Group
	minted atomic.Uint64
	base   *tls.Config      // what ServerConfig clones
	now    func() time.Time // the clock; tests move it toward expiry
}

// NewLeaves returns a leaf cache for ca holding up to size leaves
// (DefaultCacheSize when size ≤ 0), with one newly generated leaf key.
func NewLeaves(ca *CA, size int) (*Leaves, error) {
	if size <= 0 {
		size = DefaultCacheSize
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mitm: generate leaf key: %w", err)
	}
	cache, err := lru.New[string, *tls.Certificate](size)
	if err != nil {
		return nil, fmt.Errorf("mitm: leaf cache: %w", err)
	}
	l := &Leaves{ca: ca, key: key, cache: cache, now: time.Now}
	// A self-signed CA is the client's trust anchor and need not be sent;
	// an intermediate must be, or the client cannot reach its root.
	if !bytes.Equal(ca.cert.RawIssuer, ca.cert.RawSubject) {
		l.chain = [][]byte{ca.cert.Raw}
	}
	l.base = newBaseConfig()
	return l, nil
}

// Get returns the leaf certificate for the DNS name, minting it if it is
// not cached or expires within a day. Names are case-insensitive. An IP
// address (ErrIPName) and a name the CA's constraints do not permit
// (ErrNotPermitted) get none: a client enforcing the constraints would
// reject it. Concurrent calls for one name mint it once.
func (l *Leaves) Get(name string) (*tls.Certificate, error) {
	name = canonicalName(name)
	switch {
	case name == "":
		return nil, ErrNoName
	case net.ParseIP(name) != nil:
		return nil, fmt.Errorf("mitm: %q: %w", name, ErrIPName)
	case !l.ca.Permits(name):
		return nil, fmt.Errorf("mitm: %q: %w", name, ErrNotPermitted)
	}
	if cert, ok := l.cache.Get(name); ok && l.fresh(cert) {
		return cert, nil
	}
	v, err, _ := l.mints.Do(name, func() (any, error) { return l.mintAndCache(name) })
	if err != nil {
		return nil, err
	}
	return v.(*tls.Certificate), nil
}

// CA is the CA the leaves are minted from.
func (l *Leaves) CA() *CA { return l.ca }

// Minted returns how many leaf certificates have been minted so far.
func (l *Leaves) Minted() uint64 { return l.minted.Load() }

func (l *Leaves) mintAndCache(name string) (*tls.Certificate, error) {
	// A flight for this name that ended just before this one began has
	// already cached what it minted.
	if cert, ok := l.cache.Get(name); ok && l.fresh(cert) {
		return cert, nil
	}
	cert, err := l.mint(name)
	if err != nil {
		return nil, err
	}
	l.cache.Add(name, cert)
	return cert, nil
}

// fresh reports whether a cached leaf has more than a day left, so no
// client sees it expire mid-connection — or, when it already ends with
// the CA, is still valid at all: a new one could last no longer, and
// minting one per handshake in the CA's last day would cost a signature
// each.
func (l *Leaves) fresh(cert *tls.Certificate) bool {
	end := cert.Leaf.NotAfter
	if !end.Before(l.ca.cert.NotAfter) {
		return l.now().Before(end)
	}
	return l.now().Before(end.Add(-24 * time.Hour))
}

// canonicalName turns an SNI name or a CONNECT host into a cache key:
// lower case, no trailing dot, an IPv6 literal without its brackets.
func canonicalName(name string) string {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if len(name) > 2 && name[0] == '[' && name[len(name)-1] == ']' {
		name = name[1 : len(name)-1]
	}
	return name
}
