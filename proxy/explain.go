package proxy

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/rules"
)

// Explanation is what would happen to a request, without sending it:
// where it is routed, which rule takes it and why the earlier ones do not,
// which faults may fire, and for the recording actions where it goes or
// what replays.
type Explanation struct {
	Provider string `json:"provider"`
	Dialect  string `json:"dialect"`
	Host     string `json:"host"`
	Path     string `json:"path"`
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Scope    string `json:"scope"`
	rules.Explanation
	// Upstream is where a forward (or a recording) would go.
	Upstream string `json:"upstream,omitempty"`
	// Cassette is what replay would find, for the recording actions.
	Cassette *CassetteVerdict `json:"cassette,omitempty"`
}

// CassetteVerdict is whether a recording would replay.
type CassetteVerdict struct {
	Name string         `json:"name"`
	Hit  bool           `json:"hit"`
	Miss *cassette.Miss `json:"miss,omitempty"`
	// Why is set when the request could not be looked up at all.
	Why string `json:"why,omitempty"`
}

// Explain says what the front would do with a request made of method,
// target (an absolute URL, as through the proxy, or a path, as by base
// URL), header and body. It changes no state: no gate counts, no replay
// order moves.
func (f *Front) Explain(method, target string, header http.Header, body []byte) (*Explanation, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme == "" && u.Path == "") {
		return nil, fmt.Errorf("url %q is neither an absolute URL nor a path", target)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("url %q: only http and https requests reach the proxy", target)
	}
	r, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" {
		r.URL.Scheme, r.URL.Host = "", "" // origin-form, as a base-URL request arrives
	}
	for k, v := range header {
		r.Header[http.CanonicalHeaderKey(k)] = v
	}
	ups := f.upstreams()
	t := targetOf(r, ups)
	host := t.host
	if host == "" {
		host = rules.HostOnly(r.Host)
	}
	mreq := rules.Request{Provider: t.provider, Host: host, Path: t.path, Method: method, Header: r.Header, Body: body}
	mreq.PathModel, mreq.PathStream = t.pathModel()
	e := &Explanation{Provider: t.provider, Dialect: t.dialect, Host: host, Path: t.path,
		Model: mreq.Model(), Stream: mreq.Stream(), Scope: mreq.Scope()}
	set := f.ruleSet()
	if set == nil {
		e.Action = "simulate"
		return e, nil
	}
	e.Explanation = set.Explain(&mreq)
	f.explainSource(e, &t, r, body, ups, set)
	return e, nil
}

// explainSource adds where a forward goes and what a replay finds.
func (f *Front) explainSource(e *Explanation, t *target, r *http.Request, body []byte, ups *Upstreams, set *rules.Set) {
	switch e.Action {
	case "forward", "record", "replay_or_record":
		dst, _ := t.destination(ups)
		e.Upstream = dst.String()
	case "replay":
	default:
		return
	}
	if e.Action == "forward" {
		return
	}
	spec := config.DefaultCassette(e.Action)
	for _, rule := range set.Rules {
		if rule.Name == e.Rule {
			spec = rule.Cassette
		}
	}
	v := &CassetteVerdict{Name: spec.Name}
	e.Cassette = v
	if h := r.Header.Get(cassetteHeader); h != "" {
		if err := cassette.ValidName(h); err != nil {
			v.Why = fmt.Sprintf("%s %q: %v", cassetteHeader, h, err)
			return
		}
		v.Name = h
	}
	if f.Cassettes == nil {
		v.Why = "this process has no cassette store"
		return
	}
	v.Miss = f.Cassettes.Explain(&cassette.Request{Cassette: v.Name, Method: r.Method, Provider: t.provider,
		Host: t.host, Path: t.path, Query: r.URL.RawQuery, Header: r.Header, Body: body})
	v.Hit = v.Miss == nil
}
