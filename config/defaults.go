package config

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
)

// Every default of the file is here: the values, and applyDefaults, the
// one function that fills a decoded file's unset fields with them (and
// resolves its relative paths), before anything checks the result. A
// field's doc comment names its default; a test keeps docs/config.md,
// made from those comments, in step.

// The defaults of the top level and its small sections.
const (
	DefaultListen         = "127.0.0.1:8080"
	DefaultAdminListen    = "127.0.0.1:9090"
	DefaultDrainTimeout   = 30 * time.Second
	DefaultScopeIdle      = 10 * time.Minute
	DefaultMaxRequestBody = 32 << 20
	DefaultGCPercent      = 400
	DefaultJournalSize    = 1000
	DefaultJournalMaxBody = 64 << 10
)

// The server defaults.
const (
	DefaultReadHeaderTimeout = 30 * time.Second
	DefaultReadBodyTimeout   = 2 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultTunnelIdleTimeout = 10 * time.Minute
	DefaultDrainIdleGrace    = 2 * time.Second
	DefaultMaxHeaderBytes    = 1 << 20
)

// The defaults of the cache section and of a rule's cassette options.
const (
	DefaultCacheDir      = "cassettes"
	DefaultCacheEntries  = 10000
	DefaultCacheMaxBytes = units.Size(256 << 20)
)

// The defaults of the forwarding and interception sections.
const (
	DefaultDialTimeout           = 10 * time.Second
	DefaultTLSTimeout            = 10 * time.Second
	DefaultResponseHeaderTimeout = 10 * time.Minute
	DefaultMaxIdleConns          = 256
	DefaultLeafCache             = 1024
	DefaultCAValidity            = 365 * 24 * time.Hour
	minCAValidity                = 24 * time.Hour
)

// DefaultInterceptHosts are the hosts intercepted when the config names
// none, with the hosts of the providers it declares (defaultInterceptHosts).
// Azure OpenAI resources named *.cognitiveservices.azure.com are left
// out: those hosts also serve Azure's other AI services (speech, vision,
// language), which an app may call through the same proxy and the
// simulator does not answer.
var DefaultInterceptHosts = []string{"api.openai.com", "api.anthropic.com", "*.openai.azure.com", "generativelanguage.googleapis.com"}

// DefaultMaxResponseBytes is simulate.max_response_bytes when unset.
const DefaultMaxResponseBytes = 8 << 20

func (c *Config) applyDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Admin.Listen == "" {
		c.Admin.Listen = DefaultAdminListen
	}
	c.applyStateDefaults()
	c.Admin.TokenFile = c.relative(c.Admin.TokenFile)
	if c.Log.Sample == 0 {
		c.Log.Sample = 1
	}
	if c.Journal.Size == 0 {
		c.Journal.Size = DefaultJournalSize
	}
	if c.Journal.MaxBody == 0 {
		c.Journal.MaxBody = DefaultJournalMaxBody
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = units.Duration(DefaultDrainTimeout)
	}
	c.ScopeIdle = units.Duration(orDefault(c.ScopeIdle.D(), DefaultScopeIdle))
	if c.Simulate.MaxResponseBytes == 0 {
		c.Simulate.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.MaxRequestBody == 0 {
		c.MaxRequestBody = DefaultMaxRequestBody
	}
	c.Server.ReadHeaderTimeout = units.Duration(orDefault(c.Server.ReadHeaderTimeout.D(), DefaultReadHeaderTimeout))
	c.Server.ReadBodyTimeout = units.Duration(orDefault(c.Server.ReadBodyTimeout.D(), DefaultReadBodyTimeout))
	c.Server.IdleTimeout = units.Duration(orDefault(c.Server.IdleTimeout.D(), DefaultIdleTimeout))
	c.Server.TunnelIdleTimeout = units.Duration(orDefault(c.Server.TunnelIdleTimeout.D(), DefaultTunnelIdleTimeout))
	c.Server.DrainIdleGrace = units.Duration(orDefault(c.Server.DrainIdleGrace.D(), DefaultDrainIdleGrace))
	if c.Server.MaxHeaderBytes == 0 {
		c.Server.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "auto"
	}
	if c.Runtime.GCPercent == 0 {
		c.Runtime.GCPercent = DefaultGCPercent
	}
	if c.Reload.Watch == nil {
		yes := true
		c.Reload.Watch = &yes
	}
	if c.Reload.Interval == 0 {
		c.Reload.Interval = units.Duration(time.Second)
	}
	if c.DefaultAction == "" {
		c.DefaultAction = "simulate"
	}
	if c.DebugHeaders == nil {
		yes := true
		c.DebugHeaders = &yes
	}
	if c.Egress.Mode == "" {
		c.Egress.Mode = "public"
	}
	c.applyProviderDefaults()
	c.applyRuleDefaults()
	c.applyCacheDefaults()
}

// applyRuleDefaults fills the rules' defaults, cassette options included.
func (c *Config) applyRuleDefaults() {
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Action == "" {
			r.Action = "simulate"
		}
		if r.Enabled == nil {
			yes := true
			r.Enabled = &yes
		}
		r.Cassette.fill(r.Action)
	}
}

// applyStateDefaults resolves admin.state_file against the config
// file's directory; with none given, the state is kept under the user's
// state directory (DefaultStateFile), and a file an earlier version kept
// beside the config is noted for taking over. No state directory (no
// home) means no state file: validate warns.
func (c *Config) applyStateDefaults() {
	if c.Admin.StateFile != "" {
		c.Admin.StateFile = c.relative(c.Admin.StateFile)
		return
	}
	key := c.file
	if c.embedded {
		key = ""
	}
	c.Admin.StateFile, _ = DefaultStateFile(key)
	c.Admin.legacyStateFile = legacyStateFile(c.file, c.Admin.StateFile)
}

func (c *Config) applyCacheDefaults() {
	c.Cache.Dir = c.relative(cmpOr(c.Cache.Dir, DefaultCacheDir))
	if c.Cache.Entries == 0 {
		c.Cache.Entries = DefaultCacheEntries
	}
	if c.Cache.MaxBytes == 0 {
		c.Cache.MaxBytes = DefaultCacheMaxBytes
	}
	if c.Cache.Ignore == nil {
		ignore := []string{"user"}
		c.Cache.Ignore = &ignore
	}
	for i, h := range c.Cache.KeyHeaders {
		c.Cache.KeyHeaders[i] = http.CanonicalHeaderKey(h)
	}
}

// DefaultCassette is the cassette options of a request no rule takes when
// default_action records or replays.
func DefaultCassette(action string) CassetteSpec {
	var cs CassetteSpec
	cs.fill(action)
	return cs
}

func (cs *CassetteSpec) fill(action string) {
	cs.Timing = cmpOr(cs.Timing, "original")
	cs.AfterLast = cmpOr(cs.AfterLast, "repeat")
	if cs.Speed == 0 {
		cs.Speed = 1
	}
	if action == "replay" {
		cs.OnMiss = cmpOr(cs.OnMiss, "error")
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (c *Config) applyProviderDefaults() {
	if c.Providers == nil {
		c.Providers = map[string]ProviderSpec{}
	}
	for name := range knownProviders {
		if _, ok := c.Providers[name]; !ok {
			c.Providers[name] = ProviderSpec{}
		}
	}
	for name, p := range c.Providers {
		p = withPreset(name, p)
		if hosts, ok := knownProviders[name]; ok && p.Upstream == "" {
			p.Upstream = hostUpstream(hosts)
		}
		if _, ok := knownProviders[name]; ok && p.Dialect == "" {
			p.Dialect = name
		}
		p.Hosts = providerHosts(name, p)
		p.applyConnDefaults()
		p.CAFile = c.relative(p.CAFile)
		c.Providers[name] = p
	}
	if c.Intercept.Hosts == nil {
		hosts := c.defaultInterceptHosts()
		c.Intercept.Hosts = &hosts
	}
	if c.Intercept.LeafCache == 0 {
		c.Intercept.LeafCache = DefaultLeafCache
	}
	c.Intercept.CAValidity = units.Duration(orDefault(c.Intercept.CAValidity.D(), DefaultCAValidity))
	c.Intercept.CADir = c.relative(c.Intercept.CADir)
	c.Intercept.CACert = c.relative(c.Intercept.CACert)
	c.Intercept.CAKey = c.relative(c.Intercept.CAKey)
	if c.Upstreams == "" {
		c.Upstreams = "allow"
	}
}

// providerHosts is what a provider's hosts are when the config lists
// none: the upstream's own, and the real API's for a known provider or a
// preset.
func providerHosts(name string, p ProviderSpec) []string {
	if len(p.Hosts) > 0 {
		return p.Hosts
	}
	hosts := realHosts(name)
	if u, err := url.Parse(p.Upstream); err == nil && u.Hostname() != "" && (len(hosts) == 0 || hosts[0] != u.Hostname()) {
		hosts = append(hosts, u.Hostname())
	}
	return hosts
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// defaultInterceptHosts is what intercept.hosts is when the config does
// not give it: DefaultInterceptHosts, then every provider's hosts that an
// app reaches through HTTPS_PROXY — all but loopback ones, which clients
// reach directly (Go, curl and Node never proxy them) and where local
// upstreams such as a test server or an Ollama live, and IP addresses,
// for which the CA never signs.
func (c *Config) defaultInterceptHosts() []string {
	hosts := append([]string(nil), DefaultInterceptHosts...)
	for _, name := range c.ProviderNames() {
		for _, h := range c.Providers[name].Hosts {
			// A built-in provider's own hosts are intercepted by the list
			// above or, like Azure's *.cognitiveservices.azure.com, not
			// by default (DefaultInterceptHosts says why).
			if interceptable(h) && !slices.Contains(hosts, h) && !slices.Contains(knownProviders[name], h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// applyConnDefaults fills how a provider's upstream is reached: the
// timeouts and the pool.
func (p *ProviderSpec) applyConnDefaults() {
	p.DialTimeout = units.Duration(orDefault(p.DialTimeout.D(), DefaultDialTimeout))
	p.TLSTimeout = units.Duration(orDefault(p.TLSTimeout.D(), DefaultTLSTimeout))
	p.ResponseHeaderTimeout = units.Duration(orDefault(p.ResponseHeaderTimeout.D(), DefaultResponseHeaderTimeout))
	if p.MaxIdleConns == 0 {
		p.MaxIdleConns = DefaultMaxIdleConns
	}
}

// OriginProvider is how a host that no provider claims is reached, for a
// request the proxy forwards to where its client sent it: a provider's
// connection defaults.
func OriginProvider() ProviderSpec {
	var p ProviderSpec
	p.applyConnDefaults()
	return p
}

// Default is the configuration of a file that says only "version: 1",
// its defaults applied: the real providers' APIs, their hosts
// intercepted. Nothing is read to make it.
func Default() *Config {
	c := &Config{Version: 1, embedded: true}
	c.applyDefaults()
	return c
}
