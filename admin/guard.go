package admin

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// A web page the developer has open can send requests to the admin
// listener from their browser: a form or a no-cors fetch posts text/plain
// or form bodies without asking, and a DNS-rebinding page (its own name
// pointed at 127.0.0.1 after it loads) reads the answers as its own. The
// guard refuses these before any handler runs, in this order:
//
//   - 421 when Host is a DNS name not listed: a rebinding page's requests
//     carry the page's own name; probes, scrapes and ctl use an IP address
//     or localhost;
//   - 403 when Origin is a page other than the listener's own or one
//     listed, or the browser marks the request Sec-Fetch-Site: cross-site;
//   - 401 without the token, when one is set;
//   - 415 when a call that changes state (any method but GET, HEAD and
//     OPTIONS) does not carry a JSON body type (YAML and gzip where those
//     bodies are read): a browser sends such a type only after a CORS
//     preflight, which this API never answers with a yes.
//
// No refused request reaches a handler, so none changes anything.

// Routes whose body is not JSON, named where they are registered too.
const (
	routePutRules       = "PUT /api/v1/rules"
	routeImportCassette = "POST /api/v1/cache/import"
)

// bodyTypes are the media types a state-changing call may carry, by its
// route; every other route takes application/json alone. None of them is
// a type a browser sends without a preflight (text/plain,
// application/x-www-form-urlencoded, multipart/form-data).
var bodyTypes = map[string][]string{
	routePutRules:       {"application/json", "application/yaml", "application/x-yaml"},
	routeImportCassette: {"application/gzip", "application/x-gzip"},
}

var jsonOnly = []string{"application/json"}

// guard wraps the admin routes with the checks above.
type guard struct {
	routes  *http.ServeMux
	token   tokenCheck
	hosts   map[string]bool // canonicalHost of each allowed host
	origins map[string]bool // canonicalOrigin of each allowed origin
	// log reports refusals, at most refusalBurst a minute: a page in a
	// loop must not fill the disk.
	log zerolog.Logger
}

const refusalBurst = 20

func newGuard(s *Server, routes *http.ServeMux) *guard {
	g := &guard{routes: routes, token: newTokenCheck(s.Token), hosts: map[string]bool{}, origins: map[string]bool{},
		log: s.Log.Sample(&zerolog.BurstSampler{Burst: refusalBurst, Period: time.Minute})}
	for _, h := range s.AllowedHosts {
		g.hosts[canonicalHost(h)] = true
	}
	for _, o := range s.AllowedOrigins {
		g.origins[canonicalOrigin(o)] = true
	}
	return g
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case !g.hostAllowed(r.Host):
		g.refuse(w, r, http.StatusMisdirectedRequest, "the admin API answers to an IP address, localhost or a name in admin.allowed_hosts; Host %q is none of them (a DNS-rebinding page would send its own name): call it by IP or localhost, or add the name to admin.allowed_hosts", clip(hostOnly(r.Host)))
	case !g.originAllowed(r):
		g.refuse(w, r, http.StatusForbidden, "a web page at %s may not call the admin API: only the listener's own origin and those in admin.allowed_origins may; tools that send no Origin header (curl, ctl, probes) are not affected", originOf(r))
	case r.URL.Path != "/healthz" && !g.token.allows(r):
		w.Header().Set("WWW-Authenticate", `Bearer realm="llm-simulator admin"`)
		msg := "this admin endpoint needs the admin token: send Authorization: Bearer <token> (ctl: --token, --token-file or $LLMSIM_ADMIN_TOKEN)"
		if r.Header.Get("Authorization") != "" {
			msg = "the Authorization header does not carry the admin token (admin.token or admin.token_file)"
		}
		g.refuse(w, r, http.StatusUnauthorized, "%s", msg)
	case !g.bodyTypeAllowed(r):
		g.refuse(w, r, http.StatusUnsupportedMediaType, "%s %s changes state, so it must say Content-Type: %s (got %q): a web page cannot send that without the browser asking first, which is what keeps other sites out; e.g. curl -H 'Content-Type: %s'",
			r.Method, r.URL.Path, strings.Join(g.bodyTypesOf(r), " or "), r.Header.Get("Content-Type"), g.bodyTypesOf(r)[0])
	default:
		g.routes.ServeHTTP(w, r)
	}
}

// refuse answers a refused call with the API's JSON error and logs it
// with what identifies the caller, never the Authorization header.
func (g *guard) refuse(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	g.log.Warn().Int("status", status).Str("method", r.Method).Str("path", clip(r.URL.Path)).Str("host", clip(r.Host)).
		Str("origin", clip(r.Header.Get("Origin"))).Str("sec_fetch_site", clip(r.Header.Get("Sec-Fetch-Site"))).
		Str("content_type", clip(r.Header.Get("Content-Type"))).Str("remote", r.RemoteAddr).Msg("admin request refused")
	writeError(w, status, format, args...)
}

// hostAllowed: an IP literal (v4, or v6 in brackets), localhost, or a
// listed name, any port. An empty Host (HTTP/1.0) names no host at all.
func (g *guard) hostAllowed(host string) bool {
	name := hostOnly(host)
	if _, err := netip.ParseAddr(name); err == nil {
		return true
	}
	name = canonicalHost(name)
	return name == "" || name == "localhost" || g.hosts[name]
}

// originAllowed: no Origin and no cross-site mark (a tool, or the browser
// itself), the listener's own origin, or a listed one.
func (g *guard) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return !strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") || followedLink(r)
	}
	if g.origins[canonicalOrigin(origin)] {
		return true
	}
	// Own: the page's host[:port] is the Host this request was sent to,
	// which hostAllowed has vetted; only the admin listener serves it.
	u, err := url.Parse(canonicalOrigin(origin))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host == strings.ToLower(r.Host)
}

// followedLink is a top-level navigation (a link the user followed from
// another site): the linking page never sees the answer, and no GET
// changes anything.
func followedLink(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.EqualFold(r.Header.Get("Sec-Fetch-Mode"), "navigate") && strings.EqualFold(r.Header.Get("Sec-Fetch-Dest"), "document")
}

// bodyTypeAllowed: a safe method, or one Content-Type whose media type
// (any case, parameters such as charset allowed) the route takes.
func (g *guard) bodyTypeAllowed(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	values := r.Header.Values("Content-Type")
	if len(values) != 1 {
		return false
	}
	media, _, err := mime.ParseMediaType(values[0])
	if err != nil {
		return false
	}
	for _, t := range g.bodyTypesOf(r) {
		if media == t {
			return true
		}
	}
	return false
}

func (g *guard) bodyTypesOf(r *http.Request) []string {
	_, pattern := g.routes.Handler(r)
	if types, ok := bodyTypes[pattern]; ok {
		return types
	}
	return jsonOnly
}

// hostOnly is a Host header's host without its port or IPv6 brackets.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// canonicalHost compares names as DNS does: any case, and "name." (the
// fully qualified form) the same as "name".
func canonicalHost(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

// canonicalOrigin is an origin as a browser serialises it: lower case, no
// trailing slash, no default port.
func canonicalOrigin(origin string) string {
	o := strings.TrimSuffix(strings.ToLower(origin), "/")
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return o
	}
	if (u.Scheme == "http" && u.Port() == "80") || (u.Scheme == "https" && u.Port() == "443") {
		u.Host = strings.TrimSuffix(u.Host, ":"+u.Port())
	}
	return u.Scheme + "://" + u.Host
}

func originOf(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		return fmt.Sprintf("%q", clip(o))
	}
	return "another site (Sec-Fetch-Site: cross-site)"
}

// clip bounds what a refusal log line repeats of the caller's headers.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
