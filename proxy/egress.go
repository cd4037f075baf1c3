package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/internal/egress"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
	"github.com/rs/zerolog"
)

// setPolicy builds the egress policy of cfg: its mode and allow list, the
// intercepted and providers' hosts as the listed ones, and the process's
// listeners.
func (u *Upstreams) setPolicy(cfg *config.Config) error {
	hosts, err := rules.NewHostSet(*cfg.Intercept.Hosts)
	if err != nil {
		return err
	}
	u.intercepted = hosts
	u.policy, err = egress.New(egress.Options{Mode: cfg.Egress.Mode, Allow: cfg.Egress.Allow, Listed: u.listed, Own: u.own})
	return err
}

// listed reports whether name is an intercepted host or a provider's.
func (u *Upstreams) listed(name string) bool {
	if u.intercepted.Match(name) {
		return true
	}
	for _, up := range u.list {
		if up.Hosts.Match(name) || strings.EqualFold(up.host, name) {
			return true
		}
	}
	return false
}

// Listeners are the process's own listening addresses, which the egress
// policy refuses to dial; set them once the listeners are bound. They
// carry over to the Upstreams a reload builds.
func (u *Upstreams) Listeners() *egress.Listeners { return u.own }

// egressPolicy is the policy in force; a front with no upstreams of its
// own uses the strict default.
func (u *Upstreams) egressPolicy() *egress.Policy {
	if u == nil || u.policy == nil {
		return egress.Strict
	}
	return u.policy
}

// checkTarget judges, before anything else happens, the host a proxied
// request names: an address the policy refuses (the admin port,
// metadata, a private address, a provider's upstream on loopback named
// directly) is refused whether a rule would forward the request or
// answer it, so that the proxy port never answers for such a host. A
// name is judged fully only when a forward dials it.
func (f *Front) checkTarget(x *exchange, ups *Upstreams) error {
	if x.tgt.scheme == "" {
		return nil // a base-URL request names no host
	}
	host, port := splitAuthority(x.tgt.authority, x.tgt.scheme)
	return ups.egressPolicy().CheckName(egress.Forward, host, port)
}

// splitAuthority is a proxied request's host and port, the port the
// scheme's when the authority has none.
func splitAuthority(authority, scheme string) (string, uint16) {
	host, p, err := net.SplitHostPort(authority)
	if err != nil {
		host, p = authority, ""
	}
	if n, err := strconv.ParseUint(p, 10, 16); err == nil {
		return host, uint16(n)
	}
	if scheme == "http" {
		return host, 80
	}
	return host, 443
}

// addressedToSelf reports an absolute-form request for the very address
// it arrived on — a client with both HTTP_PROXY and a base URL pointing
// at the proxy — which is answered as the base-URL request it is: nothing
// is dialled, and the proxy port answers only what it always answers.
func addressedToSelf(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	self, err := netip.ParseAddrPort(local.String())
	if err != nil {
		return false
	}
	host, port := splitAuthority(r.URL.Host, r.URL.Scheme)
	if port != self.Port() {
		return false
	}
	selfIP := self.Addr().Unmap()
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return ip.Unmap() == selfIP || (ip.Unmap().IsLoopback() && selfIP.IsLoopback())
	}
	return strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") && selfIP.IsLoopback()
}

// refuseEgress answers a request the egress policy refused with the
// provider's 403, saying which check refused and how to allow it.
func (f *Front) refuseEgress(x *exchange, out wire.Sink, r *egress.Refusal, via string) error {
	x.refused = true
	f.countEgress(via, r)
	d := f.simulator().Dialect(x.tgt.dialect)
	return wire.WriteError(out, d, &wire.APIError{Status: http.StatusForbidden, Type: d.ErrorType(http.StatusForbidden),
		Message: r.Error()}, x.req.RequestID)
}

// asRefusal is the egress refusal err carries, or nil.
func asRefusal(err error) *egress.Refusal {
	if err == nil {
		return nil // without the escaping errors.As: the front asks on every request
	}
	var r *egress.Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

func (f *Front) countEgress(via string, r *egress.Refusal) {
	f.refusals.once.Do(func() {
		f.refusals.log = f.Log.Sample(&zerolog.BurstSampler{Burst: refusalLogBurst, Period: time.Minute})
	})
	f.refusals.log.Warn().Str("via", via).Str("target", r.Target).Str("reason", string(r.Reason)).Msg("egress refused")
	if f.Metrics != nil {
		f.Metrics.EgressRefused(via, string(r.Reason))
	}
}

// refusalLogBurst is how many refusals a minute are logged: a client in
// a loop must not fill the disk; the metric counts them all.
const refusalLogBurst = 20

// refusalLog is the front's logger of egress refusals, sampled.
type refusalLog struct {
	once sync.Once
	log  zerolog.Logger
}

// refuseTunnel answers a CONNECT the egress policy refused: a 403 whose
// body says why, a journal entry and a metric.
func (f *Front) refuseTunnel(w http.ResponseWriter, r *http.Request, start time.Time, ref *egress.Refusal) {
	f.countEgress("connect", ref)
	msg := ref.Error()
	http.Error(w, msg, http.StatusForbidden)
	if f.Journal != nil {
		f.Journal.Add(&telemetry.Record{Time: start, Method: http.MethodConnect, Path: r.Host, Host: rules.HostOnly(r.Host),
			Provider: "-", Rule: "egress", Source: "refused", Status: http.StatusForbidden, Duration: time.Since(start),
			Bytes: int64(len(msg) + 1), Outcome: telemetry.OutcomeComplete, Complete: true, Scope: r.Header.Get(rules.ScopeHeader)})
	}
}

// tunnelRefusal is why a CONNECT to host cannot be tunnelled, judged by
// name; the dial judges the address.
func tunnelRefusal(p *egress.Policy, host string) (*egress.Refusal, error) {
	h, ps, err := net.SplitHostPort(host)
	if err != nil || ps == "" {
		return nil, fmt.Errorf("llm-simulator: CONNECT needs a host:port target, not %q", host)
	}
	port, err := strconv.ParseUint(ps, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("llm-simulator: CONNECT target %q has no valid port", host)
	}
	return asRefusal(p.CheckName(egress.Tunnel, h, uint16(port))), nil
}
