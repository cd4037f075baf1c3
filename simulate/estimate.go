package simulate

import "encoding/json"

// EstimatePromptTokens counts a request's prompt tokens as the simulator
// would bill them, before it runs: rate limits that count tokens admit a
// request on this number. Unreadable requests count 0; the simulator
// refuses them anyway.
func EstimatePromptTokens(provider, path string, body []byte) int {
	switch {
	case provider == "anthropic" && (path == "/v1/messages" || path == "/v1/messages/count_tokens"):
		var r messagesRequest
		if decodeAnthropic(body, &r) != nil || r.validate(false) != nil {
			return 0
		}
		return r.prompt(path).data.PromptTokens
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
