package config

import (
	"slices"
	"strings"

	"github.com/llm-simulator/llm-simulator/config/units"
	"gopkg.in/yaml.v3"
)

// The recording actions, and the choices of their options.
var (
	cassetteActions = []string{"record", "replay", "replay_or_record"}
	missPolicies    = []string{"error", "forward", "simulate"}
	replayTimings   = []string{"original", "scaled", "instant", "simulated"}
	afterLasts      = []string{"repeat", "wrap"}
)

// CacheSpec is where recordings live and how many stay in memory.
type CacheSpec struct {
	// Dir holds the cassettes: the directory itself is the default
	// cassette, a subdirectory a named one (a rule's cassette.name, or a
	// request's x-llmsim-cassette header). Relative to the config file.
	// Default ./cassettes.
	Dir string `yaml:"dir"`
	// Entries bounds how many recordings' bodies are kept in memory; the
	// rest are read from disk when replayed. Default 10000.
	Entries int `yaml:"entries"`
	// MaxBytes bounds the memory those bodies take. Default 256MiB.
	MaxBytes units.Size `yaml:"max_bytes"`
	// Ignore names the top-level request body members left out of a
	// recording's key, so requests differing only in them replay the same
	// recording. Default [user]; [] ignores nothing.
	Ignore *[]string `yaml:"ignore"`
	// KeyHeaders names request headers whose values are part of the key
	// (and are stored with the recording), e.g. a test id. Secret headers
	// may not be named.
	KeyHeaders []string `yaml:"key_headers"`
	// Redact names further response headers never stored. Authorization,
	// x-api-key, api-key, cookies and the providers' organisation headers
	// never are.
	Redact []string `yaml:"redact"`
}

// CassetteSpec is how a record or replay rule uses the cassettes.
type CassetteSpec struct {
	// Name is the cassette, a subdirectory of cache.dir; a request's
	// x-llmsim-cassette header overrides it. Default: cache.dir itself.
	Name string `yaml:"name"`
	// OnMiss is what replay does when no recording matches: error (a
	// provider-shaped 404 naming the nearest recording and what differs),
	// forward, or simulate. Default error. Not for record (which always
	// forwards) or replay_or_record (which records on a miss).
	OnMiss string `yaml:"on_miss"`
	// Timing paces a replay: original (the recorded offsets), scaled (the
	// offsets divided by speed), instant, or simulated (the simulate
	// section's timing model). Default original.
	Timing string `yaml:"timing"`
	// Speed is scaled timing's factor: 2 replays twice as fast. Default 1.
	Speed float64 `yaml:"speed"`
	// AfterLast is what a call gets once a request's recordings are used
	// up — the nth call replays the nth recording: repeat (the last again)
	// or wrap (from the first). Default repeat.
	AfterLast string `yaml:"after_last"`
	// RecordErrors keeps the upstream's error answers (any status but
	// 2xx) in the cassette too, for a test that wants the provider's 429
	// or 500 replayed. Default false: only 2xx answers are recorded, and
	// replay_or_record, finding a recorded error, asks the upstream again
	// and puts a 2xx answer in the error's place — a transient error seen
	// once is not replayed for ever. For record and replay_or_record.
	RecordErrors bool `yaml:"record_errors"`
}

// validateCache checks the cache section, each problem at its node.
func (c *Config) validateCache(root *yaml.Node, opts Options, e *errs) {
	n := lookupKey(root, "cache")
	at := func(key string) *yaml.Node { return orNode(lookupKey(n, key), orNode(n, root)) }
	if c.Cache.Entries < 0 {
		e.at(at("entries"), "cache.entries must be positive")
	}
	if c.Cache.MaxBytes < 0 {
		e.at(at("max_bytes"), "cache.max_bytes must be positive")
	}
	for i, h := range c.Cache.KeyHeaders {
		if opts.SecretHeader != nil && opts.SecretHeader(h) {
			e.at(seqItem(lookupKey(n, "key_headers"), i, at("key_headers")),
				"cache.key_headers: %s carries a secret, which is never stored; key on another header", h)
		}
	}
}

// checkCassette checks a rule's cassette options against its action.
func (c *Config) checkCassette(spec *RuleSpec, n *yaml.Node, opts Options, e *errs) {
	cn := lookupKey(n, "cassette")
	if cn == nil {
		return
	}
	at := func(key string) *yaml.Node { return orNode(lookupKey(cn, key), cn) }
	cs := &spec.Cassette
	if !slices.Contains(cassetteActions, spec.Action) {
		e.at(cn, "rule %q: cassette options go with record, replay or replay_or_record; the action is %s", spec.Name, spec.Action)
		return
	}
	if cs.Name != "" && opts.CassetteName != nil {
		if err := opts.CassetteName(cs.Name); err != nil {
			e.at(at("name"), "rule %q: cassette.name: %v", spec.Name, err)
		}
	}
	switch {
	case lookupKey(cn, "on_miss") != nil && spec.Action != "replay":
		e.at(at("on_miss"), "rule %q: on_miss is for replay; %s %s", spec.Name, spec.Action, missAnswer(spec.Action))
	case cs.OnMiss != "" && !slices.Contains(missPolicies, cs.OnMiss):
		e.at(at("on_miss"), "rule %q: on_miss %q is not one of %v", spec.Name, cs.OnMiss, missPolicies)
	}
	if lookupKey(cn, "record_errors") != nil && spec.Action == "replay" {
		e.at(at("record_errors"), "rule %q: record_errors is for record and replay_or_record; replay records nothing", spec.Name)
	}
	checkChoice(e, at("timing"), spec.Name, "timing", cs.Timing, replayTimings)
	checkChoice(e, at("after_last"), spec.Name, "after_last", cs.AfterLast, afterLasts)
	if cs.Speed <= 0 {
		e.at(at("speed"), "rule %q: cassette.speed must be positive", spec.Name)
	} else if lookupKey(cn, "speed") != nil && cs.Timing != "scaled" {
		e.at(at("speed"), "rule %q: speed goes with timing: scaled (timing is %s)", spec.Name, cs.Timing)
	}
}

func missAnswer(action string) string {
	if action == "record" {
		return "always forwards"
	}
	return "records on a miss"
}

func checkChoice(e *errs, n *yaml.Node, rule, what, v string, choices []string) {
	if !slices.Contains(choices, v) {
		e.at(n, "rule %q: cassette.%s %q is not one of %s", rule, what, v, strings.Join(choices, ", "))
	}
}
