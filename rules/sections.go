package rules

// ProviderSpec is an upstream provider. Forwarding arrives in a later
// build; until then these are checked and kept, and have no effect.
type ProviderSpec struct {
	// Upstream is the provider's base URL, e.g. https://api.openai.com.
	Upstream string `yaml:"upstream"`
	// CAFile is a PEM bundle trusted for the upstream. Default: the system's.
	CAFile string `yaml:"ca_file"`
	// Dialect is the API the host speaks (openai, anthropic). Default: the
	// provider's name.
	Dialect string `yaml:"dialect"`
}

// InterceptSpec is HTTPS interception (CONNECT). Checked and kept; no
// effect in this build.
type InterceptSpec struct {
	// Hosts are globs of the hosts whose TLS is terminated.
	Hosts []string `yaml:"hosts"`
	// CADir holds ca.pem and ca-key.pem.
	CADir string `yaml:"ca_dir"`
}

// CacheSpec is the recorded-response cache. Checked and kept; no effect in
// this build.
type CacheSpec struct {
	// Dir holds the cassettes.
	Dir string `yaml:"dir"`
	// Entries bounds the bodies kept in memory.
	Entries int `yaml:"entries"`
	// MaxBytes bounds their size.
	MaxBytes Size `yaml:"max_bytes"`
}
