package config

import (
	"crypto/x509"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/glob"
	"gopkg.in/yaml.v3"
)

// Dialects are the APIs a provider may speak.
var Dialects = []string{"openai", "anthropic", "azure", "gemini"}

// knownProviders are the providers a config need not declare: their
// upstream and hosts default to the real API. A provider whose API has
// no one host (Azure names each resource: myres.openai.azure.com) lists
// globs and has no default upstream: a request through the proxy is
// forwarded to the host it was sent to.
var knownProviders = map[string][]string{
	"openai":    {"api.openai.com"},
	"anthropic": {"api.anthropic.com"},
	"azure":     {"*.openai.azure.com", "*.cognitiveservices.azure.com"},
	"gemini":    {"generativelanguage.googleapis.com"},
}

// hostUpstream is the upstream a known provider's hosts give it, "" when
// they are globs.
func hostUpstream(hosts []string) string {
	if len(hosts) == 0 || strings.ContainsAny(hosts[0], "*?[") {
		return ""
	}
	return "https://" + hosts[0]
}

// relative resolves a path written in the config against the file's
// directory, as users expect of ./ca and ./upstream-ca.pem.
func (c *Config) relative(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(c.file), path)
}

// ProviderNames lists the providers in a stable order.
func (c *Config) ProviderNames() []string {
	names := make([]string, 0, len(c.Providers))
	for name := range c.Providers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// validateForwarding checks the providers, interception and upstreams
// sections, each problem at its node.
func (c *Config) validateForwarding(root *yaml.Node, e *errs) {
	if n := lookupKey(root, "upstreams"); n != nil && !slices.Contains([]string{"allow", "deny"}, c.Upstreams) {
		e.at(n, "upstreams must be allow or deny")
	}
	for _, name := range c.ProviderNames() {
		c.validateProvider(name, lookupKey(root, "providers", name), e)
	}
	in := lookupKey(root, "intercept")
	for i, h := range *c.Intercept.Hosts {
		if _, err := glob.Compile(h); err != nil {
			e.at(seqItem(lookupKey(in, "hosts"), i, root), "intercept.hosts: %q is not a valid glob: %v", h, err)
		} else if ipHost(h) {
			e.at(seqItem(lookupKey(in, "hosts"), i, root), "intercept.hosts: %q is an IP address: TLS is intercepted for host names only (the CA's name constraints exclude every IP address); call the API by its name", h)
		}
	}
	if c.Intercept.CAValidity.D() < minCAValidity {
		e.at(orNode(lookupKey(in, "ca_validity"), root), "intercept.ca_validity must be at least %s", minCAValidity)
	}
	if (c.Intercept.CACert == "") != (c.Intercept.CAKey == "") {
		e.at(orNode(lookupKey(in, "ca_cert"), orNode(lookupKey(in, "ca_key"), root)), "intercept: ca_cert and ca_key go together: name both files or neither")
	}
	if c.Intercept.LeafCache < 0 {
		e.at(orNode(lookupKey(in, "leaf_cache"), root), "intercept.leaf_cache must be positive")
	}
}

func (c *Config) validateProvider(name string, n *yaml.Node, e *errs) {
	p := c.Providers[name]
	at := func(key string) *yaml.Node { return orNode(lookupKey(n, key), orNode(n, &yaml.Node{})) }
	switch u, err := url.Parse(p.Upstream); {
	case p.Upstream == "" && knownProviders[name] != nil && hostUpstream(knownProviders[name]) == "":
		// Forwarded to the host each request was sent to.
	case p.Upstream == "":
		e.at(at("upstream"), "provider %q needs an upstream URL such as https://api.example.com", name)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		e.at(at("upstream"), "provider %q: upstream %q is not an http:// or https:// URL", name, p.Upstream)
	case u.RawQuery != "" || u.Fragment != "":
		e.at(at("upstream"), "provider %q: upstream %q has a query or fragment; give a base URL", name, p.Upstream)
	case strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/v1"):
		c.warn(e, at("upstream"), "provider %q: upstream %q ends in /v1 and a client's path (/v1/chat/completions) is joined to it, giving …/v1/v1/…: give the URL without /v1, unless this host's clients leave /v1 out", name, p.Upstream)
	}
	if p.Dialect == "" {
		e.at(orNode(n, &yaml.Node{}), "provider %q: say which API it speaks: dialect: one of %v", name, Dialects)
	} else if !slices.Contains(Dialects, p.Dialect) {
		e.at(at("dialect"), "provider %q: dialect %q is not one of %v", name, p.Dialect, Dialects)
	}
	for i, h := range p.Hosts {
		if _, err := glob.Compile(h); err != nil {
			e.at(seqItem(lookupKey(n, "hosts"), i, at("hosts")), "provider %q: hosts: %q is not a valid glob: %v", name, h, err)
		}
	}
	if p.CAFile != "" {
		if err := checkCAFile(p.CAFile); err != nil {
			e.at(at("ca_file"), "provider %q: ca_file: %v", name, err)
		}
	}
	if p.MaxIdleConns < 0 {
		e.at(at("max_idle_conns"), "provider %q: max_idle_conns must be positive", name)
	}
}

// checkCAFile makes sure a CA bundle can be used before a forward needs it.
func checkCAFile(path string) error {
	pem, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return errNoCerts(path)
	}
	return nil
}

type errNoCerts string

func (e errNoCerts) Error() string { return string(e) + " holds no PEM certificate" }

// seqItem is the ith item of a sequence node, or fallback.
func seqItem(seq *yaml.Node, i int, fallback *yaml.Node) *yaml.Node {
	if seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
		return seq.Content[i]
	}
	return fallback
}
