package simulate

import (
	"fmt"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Output limits: the most tokens one answer may ask for (max_tokens,
// max_completion_tokens, max_output_tokens, Gemini's maxOutputTokens).
//
// A request over its model's limit gets the provider's 400, as the real
// API answers it; Gemini's API does not refuse, it caps the answer at the
// model's limit, and so does the simulator. The limits below are the
// documented ones of the model families the simulator knows; a family is
// matched by its name or its name followed by "-" (gpt-4o matches
// gpt-4o-2024-08-06, not gpt-4o1), the longest match winning. Where a
// family's members differ, the family gets the largest, so that no
// request a real model accepts is refused here.
var outputLimits = []struct {
	family string
	max    int
}{
	// OpenAI: platform.openai.com/docs/models (each model's page).
	{"gpt-3.5-turbo", 4096},
	{"gpt-4", 8192},
	{"gpt-4-turbo", 4096},
	{"gpt-4o", 16384},
	{"gpt-4o-mini", 16384},
	{"chatgpt-4o-latest", 16384},
	{"gpt-4.1", 32768},
	{"gpt-4.1-mini", 32768},
	{"gpt-4.1-nano", 32768},
	{"gpt-5", 128000},
	{"o1", 100000},
	{"o3", 100000},
	{"o4-mini", 100000},
	// Anthropic: docs.claude.com/en/docs/about-claude/models/overview; the
	// 3.7 Sonnet family allows 128k with the output-128k beta header.
	{"claude-3-haiku", 4096},
	{"claude-3-opus", 4096},
	{"claude-3-5-haiku", 8192},
	{"claude-3-5-sonnet", 8192},
	{"claude-3-7-sonnet", 128000},
	{"claude-sonnet-4-0", 64000},
	{"claude-sonnet-4-20250514", 64000},
	{"claude-sonnet-4-5", 64000},
	{"claude-haiku-4-5", 64000},
	{"claude-opus-4-0", 32000},
	{"claude-opus-4-20250514", 32000},
	{"claude-opus-4-1", 32000},
	{"claude-opus-4-5", 64000},
	{"claude-opus-4-6", 128000},
	// Gemini: ai.google.dev/gemini-api/docs/models (outputTokenLimit).
	{"gemini-1.5-flash", 8192},
	{"gemini-1.5-pro", 8192},
	{"gemini-2.0-flash", 8192},
	{"gemini-2.5-flash", 65536},
	{"gemini-2.5-pro", 65536},
}

// DefaultMaxOutputTokens is the output limit of a model the catalogue does
// not know — an OpenAI-compatible server's, a new release's: 2^24, above
// the largest context window any served model has today (10M tokens), so
// that no real request is refused for it, while a max_tokens of 1e9 gets
// the provider's 400 as it would from any real API.
const DefaultMaxOutputTokens = 1 << 24

// minOutputLimit is the lowest limit in the catalogue.
var minOutputLimit = func() int {
	low := DefaultMaxOutputTokens
	for _, l := range outputLimits {
		low = min(low, l.max)
	}
	return low
}()

// knownOutputLimit is the catalogue's limit for a model name, 0 when the
// catalogue does not know it.
func knownOutputLimit(name string) int {
	best, limit := 0, 0
	for _, l := range outputLimits {
		if len(l.family) > best && strings.HasPrefix(name, l.family) &&
			(len(name) == len(l.family) || name[len(l.family)] == '-') {
			best, limit = len(l.family), l.max
		}
	}
	return limit
}

// outputLimit is the most tokens one answer of the named model may ask
// for: the config's for the model, else the catalogue's, else
// DefaultMaxOutputTokens.
func outputLimit(name string, m *Model) int {
	if m.MaxOutputTokens > 0 {
		return m.MaxOutputTokens
	}
	if l := knownOutputLimit(name); l > 0 {
		return l
	}
	return DefaultMaxOutputTokens
}

// openAITooManyTokens is OpenAI's refusal of a max_tokens (or
// max_completion_tokens, max_output_tokens) over the model's limit.
func openAITooManyTokens(param string, asked, limit int) *wire.APIError {
	return badRequest(param, "", "%s is too large: %d. This model supports at most %d completion tokens, whereas you provided %d.",
		param, asked, limit, asked)
}

// anthropicTooManyTokens is Anthropic's refusal of a max_tokens over the
// model's limit.
func anthropicTooManyTokens(model string, asked, limit int) *wire.APIError {
	return badRequest("", "", "max_tokens: %d > %d, which is the maximum allowed number of output tokens for %s", asked, limit, model)
}

// tooManyTokens checks the prompt's max tokens against its model's
// limit: the provider's 400 when over it, except on Gemini, which caps
// the answer at the limit instead. param names the request's field.
func (p *prompt) tooManyTokens(m *Model, param string) *wire.APIError {
	if m.MaxOutputTokens == 0 && p.maxTokens <= minOutputLimit {
		return nil // under every limit: no need to look the model up
	}
	limit := outputLimit(p.model, m)
	if p.maxTokens <= limit {
		return nil
	}
	switch p.provider {
	case "gemini":
		p.maxTokens = limit
		return nil
	case "anthropic":
		return anthropicTooManyTokens(p.model, p.maxTokens, limit)
	}
	return openAITooManyTokens(param, p.maxTokens, limit)
}

// limitsNote says where a simulator limit is set, for the messages that
// refuse a request over it.
func limitsNote(setting string) string {
	return fmt.Sprintf("(llm-simulator: %s)", setting)
}
