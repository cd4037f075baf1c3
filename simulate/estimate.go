package simulate

import (
	"encoding/json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// EstimatePromptTokens counts a request's prompt tokens as the simulator
// would bill them, before it runs: rate limits that count tokens admit a
// request on this number. Unreadable requests count 0; the simulator
// refuses them anyway.
func EstimatePromptTokens(provider, path string, body []byte) int {
	if provider == "azure" {
		api, deployment, _ := wire.AzurePath(path)
		if deployment != "" {
			body = withModel(body, deployment)
		}
		provider, path = "openai", api
	}
	if provider == "openai" {
		path = openAIPath(path)
	}
	switch {
	case provider == "anthropic" && (path == "/v1/messages" || path == "/v1/messages/count_tokens"):
		var r messagesRequest
		if decodeAnthropic(body, &r) != nil || r.validate(false) != nil {
			return 0
		}
		return r.prompt(path).data.PromptTokens
	case provider == "gemini":
		return estimateGemini(path, body)
	case path == "/v1/chat/completions":
		var r chatRequest
		if !fastDecodeChat(body, &r) && (json.Unmarshal(body, &r) != nil) || r.validate() != nil {
			return 0
		}
		var p prompt
		r.fillPrompt(&p, path)
		return p.data.PromptTokens
	case path == "/v1/responses":
		var r responsesRequest
		if decodeOpenAI(body, &r) != nil {
			return 0
		}
		items, tools, e := r.validate()
		if e != nil {
			return 0
		}
		return r.prompt(items, tools, path).data.PromptTokens
	}
	var r struct {
		Prompt json.RawMessage `json:"prompt"`
		Input  json.RawMessage `json:"input"`
	}
	if json.Unmarshal(body, &r) != nil {
		return 0
	}
	texts, _ := legacyPrompts(r.Prompt)
	inputs, _ := legacyPrompts(r.Input)
	n := 0
	for _, t := range append(texts, inputs...) {
		n += CountTokens(t)
	}
	return n
}

// Default is the model used for names no override matches: the base a
// rule's own simulation settings start from.
func (s *Simulator) Default() Model { return s.cfg.Default }

// Resolve is the model a name runs, as the config gives it. The pointer
// is stable for the simulator's life, so it can key per-model state.
func (s *Simulator) Resolve(name string) *Model { return s.cfg.modelFor(name) }

// Limited reports whether any model has a concurrency limit, so the front
// reads model names only when one does.
func (s *Simulator) Limited() bool {
	if s.cfg.Default.MaxConcurrency > 0 {
		return true
	}
	for _, o := range s.cfg.Models {
		if o.Model.MaxConcurrency > 0 {
			return true
		}
	}
	return false
}
