package proxy

import (
	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
)

// CassetteOptions turns the config file's cache section into the
// cassette store's options; the caller adds the logger.
func CassetteOptions(c *config.CacheSpec) cassette.Options {
	return cassette.Options{Dir: c.Dir, Entries: c.Entries, MaxBytes: int64(c.MaxBytes),
		Ignore: *c.Ignore, KeyHeaders: c.KeyHeaders, Redact: c.Redact}
}
