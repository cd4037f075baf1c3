package simulate

import (
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
)

// Model is the simulation model of one model name: its timing and how its
// answers are made.
type Model struct {
	// TTFT is the time to the first token, in nanoseconds, before prefill.
	TTFT dist.Dist
	// ITL is the time between two tokens, in nanoseconds, drawn per gap.
	ITL dist.Dist
	// PrefillPerToken is added to the time to first token for every prompt
	// token, so long prompts answer later. Zero means no prefill cost.
	PrefillPerToken time.Duration
	// OutputTokens is the length of a lorem answer (and of thinking), in
	// tokens, before max_tokens bounds it.
	OutputTokens dist.Dist
	// Text makes the answer's words.
	Text Text
	// ToolCallProbability is the chance that a call offering tools with
	// tool_choice "auto" is answered with a tool call.
	ToolCallProbability float64
	// MaxOutputTokens is the most tokens one answer may ask for; a
	// request over it gets the provider's 400 (Gemini's answer is capped
	// at it). Zero means the catalogue's limit for the model's name, or
	// DefaultMaxOutputTokens for a name it does not know.
	MaxOutputTokens int

	// MaxConcurrency is how many of this model's calls are served at once,
	// like a serving engine's max sequences; 0 means no limit. Queue more
	// may wait, up to QueueTimeout. The front applies the limit, around
	// the simulator: it is the faults' limiter, and the simulator imports
	// none.
	MaxConcurrency int
	Queue          int
	QueueTimeout   time.Duration
}

// ModelOverride applies Model to the model names matching Pattern, an
// exact name or a path.Match glob.
type ModelOverride struct {
	Pattern string
	Model   Model
}

// DefaultModel is the model used where the config gives none: realistic
// timing for a hosted model.
func DefaultModel() Model {
	ttft, _ := dist.NewLogNormal(float64(300*time.Millisecond), float64(1200*time.Millisecond))
	return Model{
		TTFT:                ttft,
		ITL:                 dist.Clamp{D: dist.Normal{Mu: float64(20 * time.Millisecond), Sigma: float64(6 * time.Millisecond)}},
		OutputTokens:        dist.Uniform{Min: 20, Max: 400},
		ToolCallProbability: 0.5,
	}
}

// InstantModel answers at once with ten tokens: for tests and benchmarks.
func InstantModel() Model {
	return Model{
		TTFT:                dist.Constant{},
		ITL:                 dist.Constant{},
		OutputTokens:        dist.Constant{V: 10},
		ToolCallProbability: 0.5,
	}
}

// modelFor returns the model for a name: the first override naming it
// exactly, else the first whose glob matches, else the default. Answers
// are cached per name (up to modelCacheSize names), since globs are tried
// on every request.
func (c *Config) modelFor(name string) *Model {
	if c.cache == nil {
		return c.resolve(name)
	}
	if m, ok := c.cache.byName.Load(name); ok {
		return m.(*Model)
	}
	m := c.resolve(name)
	if c.cache.size.Add(1) <= modelCacheSize {
		c.cache.byName.Store(name, m)
	}
	return m
}

const modelCacheSize = 4096

// modelCache remembers modelFor's answers.
type modelCache struct {
	byName sync.Map     // model name → *Model
	size   atomic.Int64 // names stored or being stored
}

func (c *Config) resolve(name string) *Model {
	for i := range c.Models {
		if c.Models[i].Pattern == name {
			return &c.Models[i].Model
		}
	}
	for i := range c.Models {
		if ok, _ := path.Match(c.Models[i].Pattern, name); ok {
			return &c.Models[i].Model
		}
	}
	return &c.Default
}

// allowed reports whether the config lets a model name through.
func (c *Config) allowed(name string) bool {
	if len(c.AllowedModels) == 0 {
		return true
	}
	for _, p := range c.AllowedModels {
		if p == name {
			return true
		}
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
