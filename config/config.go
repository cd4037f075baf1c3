package config

import (
	"github.com/llm-simulator/llm-simulator/config/units"
)

// Config is the whole configuration file. Every field is optional unless
// its comment says otherwise; zero values take the defaults in
// applyDefaults, the one place defaults live.
type Config struct {
	// Version is the schema version. Required; must be 1.
	Version int `yaml:"version"`
	// Seed seeds every request's random stream, together with a hash of the
	// request and its occurrence number. Default 0.
	Seed int64 `yaml:"seed"`
	// Listen is the proxy's address. Default 127.0.0.1:8080; the
	// --listen flag overrides it.
	Listen string `yaml:"listen"`
	// Admin configures the admin listener.
	Admin AdminConfig `yaml:"admin"`
	// DrainTimeout bounds how long a shutdown waits for in-flight
	// requests and streams. Default 30s.
	DrainTimeout units.Duration `yaml:"drain_timeout"`
	// ScopeIdle forgets the state a scope (the x-llmsim-scope header)
	// left — fault counters, rate-limit windows, backpressure queues,
	// scripted answer sequences, replay order — once no request has
	// carried the scope for this long: a suite that gives every test a
	// fresh scope does not grow the process without end, and a scope that
	// comes back after it starts over. Default 10m.
	ScopeIdle units.Duration `yaml:"scope_idle"`
	// MaxRequestBody is the largest request body accepted; a larger one
	// gets the provider's 413. Default 32MiB.
	MaxRequestBody units.Size `yaml:"max_request_body"`
	// Log configures logging.
	Log LogConfig `yaml:"log"`
	// Journal is the request journal the admin API serves.
	Journal JournalConfig `yaml:"journal"`
	// Runtime tunes the Go runtime.
	Runtime RuntimeConfig `yaml:"runtime"`
	// Server holds the timeouts and limits of the proxy and admin servers.
	Server ServerConfig `yaml:"server"`
	// Reload says how the file is watched for changes.
	Reload ReloadConfig `yaml:"reload"`
	// Simulate is the simulation model.
	Simulate SimulateConfig `yaml:"simulate"`
	// DefaultAction answers requests no rule takes: simulate (default);
	// forward must be said explicitly, never assumed.
	DefaultAction string `yaml:"default_action"`
	// DebugHeaders adds x-llmsim-rule (and x-llmsim-faults when faults
	// fired) to every response. Default true.
	DebugHeaders *bool `yaml:"debug_headers"`
	// Rules are tried in order; the first enabled one whose match holds
	// takes the request.
	Rules []RuleSpec `yaml:"rules"`
	// Providers are the APIs requests are forwarded to, by name: openai,
	// anthropic, azure and gemini are always there, pointing at the real
	// APIs unless set otherwise (azure: at the resource a request through
	// the proxy was sent to). Any OpenAI-compatible host is one more entry
	// with dialect: openai; groq, mistral, together, openrouter, deepseek
	// and ollama need no more than their name (groq: {}).
	Providers map[string]ProviderSpec `yaml:"providers"`
	// Upstreams is allow, or deny for the offline guard: a forward never
	// dials and answers a provider-shaped error naming the rule, and
	// CONNECT tunnels to hosts not intercepted are refused, so a CI job can
	// prove it never called a real provider. The --offline flag sets deny.
	// Default allow.
	Upstreams string `yaml:"upstreams"`
	// Egress says which hosts the proxy may reach for a client.
	Egress EgressSpec `yaml:"egress"`
	// Intercept is HTTPS interception.
	Intercept InterceptSpec `yaml:"intercept"`
	// Cache is the recorded-response cache.
	Cache CacheSpec `yaml:"cache"`

	// Warnings are problems that do not stop the file from loading: a rule
	// that can never match, a section with no effect yet.
	Warnings ErrorList `yaml:"-"`

	file     string
	embedded bool // the program's own default config, not a user's file
}

// AdminConfig configures the admin listener. Whatever it says, the admin
// API refuses what a web page open in a browser could send: a Host that
// is a DNS name not listed below (421), an Origin not its own nor listed
// (403), a state-changing call whose Content-Type is not JSON (415).
type AdminConfig struct {
	// Listen is the admin address. Default 127.0.0.1:9090; the
	// --admin-listen flag overrides it.
	Listen string `yaml:"listen"`
	// Token is the bearer token admin calls must carry: every endpoint but
	// /healthz asks for it when set, and it must be set when Listen is not
	// a loopback address. Usually written "${LLMSIM_ADMIN_TOKEN:-}".
	// Default none.
	Token string `yaml:"token"`
	// TokenFile is a file holding the token instead, its surrounding
	// whitespace ignored: a mounted Kubernetes Secret or Docker secret,
	// so that the token is in no config file and no environment. Relative
	// to the config file. Read at start, reload and upgrade; a changed
	// token takes effect at the next start or upgrade. A missing or empty
	// file, or both token and token_file set, is an error; a file every
	// user may read is warned about. Default none.
	TokenFile string `yaml:"token_file"`
	// AllowedHosts are the host names, besides IP addresses and
	// localhost, that an admin request's Host header may carry: exact
	// names, any case, the port ignored. A request naming any other host
	// gets 421, which is what stops a DNS-rebinding web page. List the
	// name you call the admin API by, e.g.
	// llm-simulator.staging.svc.cluster.local. Default none.
	AllowedHosts []string `yaml:"allowed_hosts"`
	// AllowedOrigins are the web origins (scheme://host[:port]) whose
	// pages may call the admin API from a browser, besides the admin
	// listener's own; a request whose Origin is any other gets 403, as
	// does one a browser marks Sec-Fetch-Site: cross-site. Default none.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// StateFile keeps the runtime changes made through the admin API —
	// rule toggles, temporary faults — so a reload, an upgrade or a
	// restart keeps them. Relative to the config file: "state_file:
	// .NAME.state.json" keeps it beside the config. Default: under the
	// user's state directory ($XDG_STATE_HOME, else ~/.local/state; on
	// macOS ~/Library/Application Support; on Windows %LocalAppData%), as
	// llm-simulator/NAME-HASH.state.json for the config file NAME.yaml,
	// HASH from its absolute path so two configs never share one;
	// default.state.json for the embedded default config. Never in the
	// working tree unless asked. A file an earlier version kept beside
	// the config (.NAME.state.json) is read once at start, and its state
	// kept here from then on.
	StateFile string `yaml:"state_file"`

	// legacyStateFile is that earlier version's file, when there is one
	// to take over (legacyStateFile).
	legacyStateFile string
}

// LegacyStateFile is the state file an earlier version kept beside the
// config, when StateFile is the default, does not exist yet, and that
// file does: its state is to be taken over once (Overlays.LoadMigrating).
func (a *AdminConfig) LegacyStateFile() string { return a.legacyStateFile }

// JournalConfig configures the request journal: the recent requests the
// admin API lists, so a test can check what its app sent and got.
type JournalConfig struct {
	// Size is how many requests the journal keeps, oldest dropped first.
	// Default 1000; -1 keeps none.
	Size int `yaml:"size"`
	// Bodies keeps request bodies (secrets are never kept, bodies or
	// not). Default false.
	Bodies bool `yaml:"bodies"`
	// MaxBody bounds a kept body; longer ones are cut. Default 64KiB.
	MaxBody units.Size `yaml:"max_body"`
}

// LogConfig configures logging.
type LogConfig struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is json, console, or auto (console on a terminal, json
	// otherwise). Default auto.
	Format string `yaml:"format"`
	// Access logs one line per request at info level: true, false or
	// auto. The line follows the format: on the console a brief one
	// (method, path, status, time, rule, action, faults fired, how an
	// unfinished response ended), in JSON every field of the request's
	// record. Default auto: on when the log is console lines on a
	// terminal (stderr), off otherwise — at tens of thousands of requests
	// per second a line each costs more than the request.
	Access AccessMode `yaml:"access"`
	// Sample logs one access line in every Sample requests; errors (a
	// status of 400 or more, or an incomplete response) are always
	// logged. Default 1: every request.
	Sample int `yaml:"sample"`
}

// ReloadConfig says how changes to the config file are picked up. A
// reload — on SIGHUP, or when the watched file changes — swaps in the new
// rules and simulation settings; listen addresses, logging and the runtime
// section take effect at the next start or upgrade.
type ReloadConfig struct {
	// Watch reloads when the file's content changes. Default true.
	Watch *bool `yaml:"watch"`
	// Interval is how often the file is checked. Default 1s.
	Interval units.Duration `yaml:"interval"`
}

// RuntimeConfig tunes the Go runtime. The GOGC and GOMEMLIMIT environment
// variables, when set, win over these.
type RuntimeConfig struct {
	// GCPercent is the garbage collector's target (GOGC): how far the heap
	// may grow past the live data before a collection. Default 400. A
	// sidecar's live heap is a few megabytes, so at Go's own default of
	// 100 it collects dozens of times a second under load; 400 costs a
	// few more megabytes and gives about a fifth more throughput
	// (bench/run.sh). Lower it where memory is tight.
	GCPercent int `yaml:"gc_percent"`
	// MemoryLimit is a soft cap on the process's memory (GOMEMLIMIT): near
	// it the collector works harder rather than let the heap grow. Default
	// none.
	MemoryLimit units.Size `yaml:"memory_limit"`
}
