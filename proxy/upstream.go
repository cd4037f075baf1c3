package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/internal/egress"
	"github.com/llm-simulator/llm-simulator/rules"
)

// Upstream is a provider forwarded requests go to.
type Upstream struct {
	Name    string // the config's name: openai, anthropic, groq…
	Dialect string // the API it speaks: openai, anthropic, azure or gemini
	Base    *url.URL
	Hosts   rules.HostSet

	host string // Base's host name, for matching a base-URL request's host
	// transport reaches Base, which the config named: only the process's
	// own listeners are refused. guarded reaches a host a client named
	// (Azure's resource host, or Base when the client named it itself),
	// under the whole egress policy. Two pools, so that a connection
	// dialled for the one is never handed to the other.
	transport, guarded *http.Transport
	spec               config.ProviderSpec // what the transports were built from
}

// Upstreams are the config's providers, and how requests reach them.
type Upstreams struct {
	byName map[string]*Upstream
	list   []*Upstream // in name order, for host lookups
	// Deny is the offline guard: no forward dials, no tunnel opens.
	Deny bool
	// origin carries forwards to hosts no provider claims.
	origin *http.Transport
	// policy judges every dial made for a client; own are the process's
	// listeners it refuses, kept from one Upstreams to the next.
	policy *egress.Policy
	own    *egress.Listeners
	// intercepted are the intercepted hosts, which egress.mode listed
	// lets through with the providers' hosts.
	intercepted rules.HostSet
}

// NewUpstreams builds the upstreams of cfg. Transports of prev whose
// provider is unchanged are kept, so a reload keeps their pooled
// connections; prev may be nil.
func NewUpstreams(cfg *config.Config, prev *Upstreams) (*Upstreams, error) {
	u := &Upstreams{byName: map[string]*Upstream{}, Deny: cfg.Upstreams == "deny", own: new(egress.Listeners)}
	if prev != nil {
		u.own = prev.own
	}
	for _, name := range cfg.ProviderNames() {
		spec := cfg.Providers[name]
		up, err := newUpstream(name, spec, prev.reuse(name, spec))
		if err != nil {
			return nil, fmt.Errorf("provider %q: %w", name, err)
		}
		u.byName[name], u.list = up, append(u.list, up)
	}
	if prev != nil && prev.origin != nil {
		u.origin = prev.origin
	} else {
		u.origin = newTransport(config.OriginProvider(), nil, egress.Forward)
	}
	if err := u.setPolicy(cfg); err != nil {
		return nil, err
	}
	return u, nil
}

// reuse is the provider's previous Upstream when its spec is unchanged,
// for its transports and their pooled connections; else nil.
func (u *Upstreams) reuse(name string, spec config.ProviderSpec) *Upstream {
	if u == nil {
		return nil
	}
	if old := u.byName[name]; old != nil && reflect.DeepEqual(old.spec, spec) {
		return old
	}
	return nil
}

// Retire closes the idle connections of prev's transports that next no
// longer uses; connections in use finish their requests first.
func (u *Upstreams) Retire(next *Upstreams) {
	if u == nil {
		return
	}
	kept := map[*http.Transport]bool{next.origin: true}
	for _, up := range next.list {
		kept[up.transport], kept[up.guarded] = true, true
	}
	for _, up := range u.list {
		for _, tr := range []*http.Transport{up.transport, up.guarded} {
			if !kept[tr] {
				tr.CloseIdleConnections()
			}
		}
	}
}

func newUpstream(name string, spec config.ProviderSpec, prev *Upstream) (*Upstream, error) {
	base, err := url.Parse(strings.TrimSuffix(spec.Upstream, "/"))
	if err != nil {
		return nil, err
	}
	hosts, err := rules.NewHostSet(spec.Hosts)
	if err != nil {
		return nil, err
	}
	up := &Upstream{Name: name, Dialect: spec.Dialect, Base: base, Hosts: hosts, host: base.Hostname(), spec: spec}
	if prev != nil {
		up.transport, up.guarded = prev.transport, prev.guarded
		return up, nil
	}
	var roots *x509.CertPool
	if spec.CAFile != "" {
		if roots, err = rootsWith(spec.CAFile); err != nil {
			return nil, err
		}
	}
	up.transport, up.guarded = newTransport(spec, roots, egress.Upstream), newTransport(spec, roots, egress.Forward)
	return up, nil
}

// apiPath is a request's path with the upstream's base path taken off
// when it starts with it: what a client of https://api.groq.com/openai
// sends as /openai/v1/chat/completions is the API path
// /v1/chat/completions, which rules match and the simulator answers, and
// which a forward joins back to the base path.
func (up *Upstream) apiPath(p string) string {
	base := strings.TrimSuffix(up.Base.Path, "/")
	if base == "" || !strings.HasPrefix(p, base) || (len(p) > len(base) && p[len(base)] != '/') {
		return p
	}
	if rest := p[len(base):]; rest != "" {
		return rest
	}
	return "/"
}

// Named is the provider called name, or nil.
func (u *Upstreams) Named(name string) *Upstream {
	if u == nil {
		return nil
	}
	return u.byName[name]
}

// ForHost is the provider that claims host, or nil. A provider whose
// upstream is host, port and all, comes first: hosts ignore ports, and an
// Ollama on 127.0.0.1:11434 and a vLLM on 127.0.0.1:8000 both claim
// 127.0.0.1.
func (u *Upstreams) ForHost(host string) *Upstream {
	if u == nil {
		return nil
	}
	for _, up := range u.list {
		if strings.EqualFold(up.Base.Host, host) {
			return up
		}
	}
	for _, up := range u.list {
		if up.Hosts.Match(host) {
			return up
		}
	}
	return nil
}

// newTransport is a pooled upstream transport whose dials are judged, for
// purpose, by the egress policy the request's context carries. It never
// consults the environment's proxy settings: the process is the proxy,
// and an HTTPS_PROXY pointing back at it would loop.
func newTransport(spec config.ProviderSpec, roots *x509.CertPool, purpose egress.Purpose) *http.Transport {
	d := &egress.Dialer{Dialer: net.Dialer{Timeout: spec.DialTimeout.D(), KeepAlive: 30 * time.Second}, Purpose: purpose}
	return &http.Transport{
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   spec.TLSTimeout.D(),
		ResponseHeaderTimeout: spec.ResponseHeaderTimeout.D(),
		MaxIdleConns:          spec.MaxIdleConns,
		MaxIdleConnsPerHost:   spec.MaxIdleConns,
		IdleConnTimeout:       90 * time.Second,
		// A custom TLS config turns HTTP/2 off unless asked for again.
		ForceAttemptHTTP2: true,
	}
}

// rootsWith is the system's roots plus the certificates in file.
func rootsWith(file string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// defaultUpstreams are the providers of a config that names none: the
// real OpenAI, Anthropic and Gemini APIs.
var defaultUpstreams = sync.OnceValue(func() *Upstreams {
	u, err := NewUpstreams(config.Default(), nil)
	if err != nil {
		panic("proxy: the default upstreams do not build: " + err.Error())
	}
	return u
})
