package config

import "github.com/llm-simulator/llm-simulator/config/units"

// ProviderSpec is a provider requests can be forwarded to: where its API
// lives and which hosts' requests are its own.
type ProviderSpec struct {
	// Upstream is the base URL forwarded requests go to; the request's API
	// path is joined to it. It may have a path of its own
	// (https://api.groq.com/openai): a request through the proxy for
	// /openai/v1/chat/completions then has the API path
	// /v1/chat/completions, which rules match and the simulator answers,
	// and is forwarded with the path it came with. Default for openai:
	// https://api.openai.com; for anthropic: https://api.anthropic.com; for
	// gemini: https://generativelanguage.googleapis.com; for azure none (a
	// request through the proxy goes to the resource host it was sent to;
	// one by base URL needs the resource's endpoint here); for groq, mistral, together, openrouter, deepseek and ollama their
	// OpenAI-compatible API (ollama: http://127.0.0.1:11434); required for
	// any other name.
	Upstream string `yaml:"upstream"`
	// CAFile is a PEM bundle trusted for the upstream's certificate, on top
	// of the system's roots (a local test upstream). Relative to the config
	// file. Default none.
	CAFile string `yaml:"ca_file"`
	// Dialect is the API the provider speaks, which shapes simulated
	// answers, errors, stream events and rate-limit headers: openai,
	// anthropic, azure or gemini. Default for openai, anthropic, azure and
	// gemini: their own; for the named OpenAI-compatible hosts (groq, …):
	// openai; required for any other name.
	Dialect string `yaml:"dialect"`
	// Hosts are globs of the hosts whose requests, arriving through the
	// proxy (HTTP_PROXY or an intercepted CONNECT), belong to this provider.
	// Default: the upstream's host, and for openai api.openai.com, for
	// anthropic api.anthropic.com, for azure *.openai.azure.com and
	// *.cognitiveservices.azure.com, for gemini
	// generativelanguage.googleapis.com, for a named OpenAI-compatible host
	// its real API's (api.groq.com, …).
	Hosts []string `yaml:"hosts"`
	// DialTimeout bounds connecting to the upstream. Default 10s.
	DialTimeout units.Duration `yaml:"dial_timeout"`
	// TLSTimeout bounds the TLS handshake with the upstream. Default 10s.
	TLSTimeout units.Duration `yaml:"tls_timeout"`
	// ResponseHeaderTimeout bounds the wait for the upstream's status line:
	// longer than a whole non-streaming generation. Default 10m.
	ResponseHeaderTimeout units.Duration `yaml:"response_header_timeout"`
	// MaxIdleConns is how many idle keep-alive connections are kept to the
	// upstream. Default 256.
	MaxIdleConns int `yaml:"max_idle_conns"`
	// ForwardedHeaders adds X-Forwarded-For (the app's address),
	// X-Forwarded-Host and X-Forwarded-Proto to the requests forwarded to
	// this provider, as a reverse proxy does: true for every request,
	// false for none. Default: only for requests that name llm-simulator
	// as their base URL, which it forwards as the app's reverse proxy; a
	// request through the proxy (HTTP_PROXY, or an intercepted CONNECT)
	// goes on as the app sent it, as through any transparent proxy — the
	// provider learns nothing of the app's address (a pod's) or of the
	// proxy. Headers the app sent itself are passed on either way.
	ForwardedHeaders *bool `yaml:"forwarded_headers"`
}

// InterceptSpec is HTTPS interception: CONNECT requests to these hosts get
// a certificate from the local CA and are answered by the rules; any
// other host gets a blind tunnel.
type InterceptSpec struct {
	// Hosts are globs of the hosts whose TLS is terminated: host names
	// only, as the CA never signs for an IP address; the CA in use must
	// cover each (its name constraints permit the hosts it was made for).
	// Default
	// api.openai.com, api.anthropic.com, *.openai.azure.com,
	// generativelanguage.googleapis.com and every declared provider's hosts
	// but loopback ones (clients reach those directly) and the built-in
	// providers' own (add *.cognitiveservices.azure.com for Azure OpenAI
	// resources named so); a list given here is the whole list, and an
	// empty one intercepts
	// nothing.
	Hosts *[]string `yaml:"hosts"`
	// CADir holds ca.pem and ca-key.pem, created on first use. Relative to
	// the config file. Default <user config dir>/llm-simulator/ca; the
	// --ca-dir flag overrides it.
	CADir string `yaml:"ca_dir"`
	// CACert names an existing CA certificate to use instead of CADir's,
	// with CAKey (both or neither). Relative to the config file. It must
	// be name-constrained to hosts that cover Hosts, with IP addresses
	// excluded, or the start is refused (docs/ca-trust.md).
	CACert string `yaml:"ca_cert"`
	// CAKey names CACert's private key file. Relative to the config file.
	// It must not be readable by others (mode 0400 or 0600; a key any user
	// can read refuses the start, one the group can read is warned about).
	CAKey string `yaml:"ca_key"`
	// CAValidity is how long a CA that llm-simulator creates (in CADir on
	// first use, or by `llm-simulator ca rotate`) stays valid; a CA
	// already made keeps its own dates. At least 24h. Default 8760h (a
	// year).
	CAValidity units.Duration `yaml:"ca_validity"`
	// LeafCache bounds how many minted host certificates are kept. Default
	// 1024.
	LeafCache int `yaml:"leaf_cache"`
}
