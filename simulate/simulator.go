package simulate

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Config configures a Simulator. The zero value is usable: realistic
// default timing, any model name accepted, wall-clock time.
type Config struct {
	// Default is the model used for names no override matches. A nil TTFT,
	// ITL or OutputTokens takes DefaultModel's.
	Default Model
	// Models are per-model overrides, tried exact names first, then globs,
	// in order.
	Models []ModelOverride
	// AllowedModels, when not empty, is the list of names (or globs) the
	// simulator serves; any other model gets the provider's 404. Empty
	// means every name is served.
	AllowedModels []string
	// Clock is the time source; nil means RealClock.
	Clock Clock
	// MaxResponseBytes bounds every answer's size (budget.go): a request
	// asking for more gets the provider's 400, an answer reaching it is
	// cut as max_tokens cuts one. Zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64

	cache *modelCache // set by New
}

// Request is one API call, already routed to a provider.
type Request struct {
	// Provider is the dialect's name: "openai", "anthropic", "azure" or
	// "gemini".
	Provider string
	Method   string
	// Path is the API path without any routing prefix, e.g.
	// /v1/chat/completions.
	Path string
	// Query is the raw query string, without '?'.
	Query  string
	Header http.Header
	Body   []byte
	// Seed is this call's RNG seed; see Seed. It decides the answer.
	Seed uint64
	// Exchange identifies this HTTP exchange (the front derives it from the
	// request with its stream flag, and its occurrence); the request id
	// comes from it. A streamed call and its unstreamed twin share Seed,
	// hence their answer, but not their request id. Zero means Seed.
	Exchange uint64
	// RequestID, when set, is the request id to answer with (the front
	// needs it before the simulator runs, for answers faults give).
	RequestID string

	// Model, when set, replaces the model the config gives for the name.
	Model *Model
	// TTFT and ITL, when set, replace the model's timing (ttft and itl
	// faults).
	TTFT, ITL dist.Dist
	// Canned, when set, is the answer, in place of a generated one.
	Canned *Canned

	// Usage is filled with the call's token counts once it is planned,
	// for rate limits that count tokens.
	Usage Usage
}

// Usage is a call's token counts.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Emulator answers the calls of one provider's API.
type Emulator interface {
	Dialect() wire.Dialect
	// Serve answers c through out. API errors (bad input, unknown path) are
	// answered, not returned; an error means the response could not be
	// delivered (out failed, or ctx ended).
	Serve(ctx context.Context, c *Call, out wire.Sink) error
}

// Call is what an emulator needs to answer one request: the request, its
// random streams, the clock and the config. Calls are pooled: one is valid
// only while Serve runs.
type Call struct {
	*Request
	Config    *Config
	Clock     Clock
	Start     time.Time
	RequestID string

	content *rand.Rand
	timing  *rand.Rand
	ids     ids
	budget  budgetSink // the response budget's last guard, around the emulator's sink

	// The random streams live in the call, which is pooled, so a call
	// allocates none of them: content, timing, ids.
	src [3]rand.PCG
	rng [3]rand.Rand
}

var calls = sync.Pool{New: func() any { return new(Call) }}

// seed points the call's random streams at a request's seed.
func (c *Call) seed(seed uint64) {
	for i, s := range [3]struct{ seed, stream uint64 }{
		{seed, streamContent}, {seed, streamTiming}, {seed, streamIDs},
	} {
		c.src[i].Seed(s.seed, s.stream*streamMix)
		c.rng[i] = *rand.New(&c.src[i])
	}
	c.content, c.timing, c.ids = &c.rng[0], &c.rng[1], ids{&c.rng[2], &c.src[2]}
}

// Simulator dispatches calls to the emulator of their provider.
type Simulator struct {
	cfg       Config
	emulators map[string]Emulator
}

// New returns a Simulator with the OpenAI, Anthropic, Azure and Gemini
// emulators.
func New(cfg Config) *Simulator {
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	fillModel(&cfg.Default, DefaultModel())
	for i := range cfg.Models {
		fillModel(&cfg.Models[i].Model, cfg.Default)
	}
	s := &Simulator{cfg: cfg, emulators: map[string]Emulator{}}
	s.cfg.cache = new(modelCache)
	for _, e := range []Emulator{OpenAI{}, Anthropic{}, Azure{}, Gemini{}} {
		s.emulators[e.Dialect().Name()] = e
	}
	return s
}

// fillModel gives m the distributions it lacks from def.
func fillModel(m *Model, def Model) {
	if m.TTFT == nil {
		m.TTFT = def.TTFT
	}
	if m.ITL == nil {
		m.ITL = def.ITL
	}
	if m.OutputTokens == nil {
		m.OutputTokens = def.OutputTokens
	}
}

// emulator returns a provider's emulator; an unknown provider is served
// as OpenAI, the dialect every OpenAI-compatible host speaks.
func (s *Simulator) emulator(provider string) Emulator {
	if e, ok := s.emulators[provider]; ok {
		return e
	}
	return OpenAI{}
}

// Dialect returns the dialect a provider is answered in.
func (s *Simulator) Dialect(provider string) wire.Dialect { return s.emulator(provider).Dialect() }

// Serve answers req through out. Errors are as for Emulator.Serve.
func (s *Simulator) Serve(ctx context.Context, req *Request, out wire.Sink) error {
	e := s.emulator(req.Provider)
	c := calls.Get().(*Call)
	defer func() { c.Request, c.Config, c.budget = nil, nil, budgetSink{}; calls.Put(c) }()
	c.Request, c.Config, c.Clock, c.Start = req, &s.cfg, s.cfg.Clock, s.cfg.Clock.Now()
	c.seed(req.Seed)
	c.RequestID = req.RequestID
	if c.RequestID == "" {
		c.RequestID = RequestID(e.Dialect().Name(), cmp.Or(req.Exchange, req.Seed))
	}
	c.budget.reset(out, e.Dialect(), s.cfg.responseBudget(), c.RequestID)
	if err := e.Serve(ctx, c, &c.budget); !errors.Is(err, errBudget) {
		return err
	}
	return nil // the answer reached the budget and was ended
}

// RequestID is the request id an exchange is answered with, in the
// provider's format.
func RequestID(provider string, exchange uint64) string {
	mix := uint64(streamRequestID)
	var src rand.PCG
	src.Seed(exchange, mix*streamMix) // as newRNG seeds it, wrapping
	switch provider {
	case "anthropic":
		return idFrom(&src, anthropicRequestPrefix, base58, 20)
	case "gemini":
		return idFrom(&src, "", base64URL, 22) // a responseId: Gemini has no request id
	case "azure":
		return uuidFrom(&src)
	}
	return idFrom(&src, "req_", hexd, 32)
}

// model is the model a call runs: the request's own, or the config's for
// the name; with the request's timing overrides applied to a copy.
func (c *Call) model(name string) *Model {
	m := c.Request.Model
	if m == nil {
		m = c.Config.modelFor(name)
	}
	if c.TTFT == nil && c.ITL == nil {
		return m
	}
	cp := *m
	if c.TTFT != nil {
		cp.TTFT = c.TTFT
	}
	if c.ITL != nil {
		cp.ITL = c.ITL
	}
	return &cp
}

// script hands a scripted answer to the prompt, before planning.
func (c *Call) script(p *prompt, provider string) {
	p.canned, p.provider = c.Canned, provider
	if c.Canned != nil && c.Canned.PromptTokens != nil {
		p.data.PromptTokens = *c.Canned.PromptTokens
	}
}

// report records the planned usage on the request.
func (c *Call) report(p *prompt, choices []choice) {
	c.Request.Usage = Usage{PromptTokens: p.data.PromptTokens}
	for i := range choices {
		c.Request.Usage.CompletionTokens += choices[i].tokens
	}
}

// fail answers c with an API error in dialect d.
func (c *Call) fail(out wire.Sink, d wire.Dialect, e *wire.APIError) error {
	return wire.WriteError(out, d, e, c.RequestID)
}
