package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/internal/glob"
	"gopkg.in/yaml.v3"
)

// RuleSpec is one entry of rules: which requests it takes, what answers
// them, and the faults injected on the way.
type RuleSpec struct {
	// Name identifies the rule in headers, logs, the admin API and state
	// that survives reloads. Required; unique.
	Name string `yaml:"name"`
	// Enabled turns the rule on or off. Default true.
	Enabled *bool `yaml:"enabled"`
	// Match is the requests the rule takes; empty matches every request.
	Match MatchSpec `yaml:"match"`
	// Action is what answers: simulate (default), forward (to the
	// provider's upstream), record (forward, and store the answer in a
	// cassette), replay (answer from the cassettes) or replay_or_record
	// (replay what was recorded, record what was not).
	Action string `yaml:"action"`
	// Cassette is how record and replay use the cassettes.
	Cassette CassetteSpec `yaml:"cassette"`
	// Respond scripts the simulated answer instead of generating one.
	Respond *RespondSpec `yaml:"respond"`
	// Simulate overrides the simulation settings for this rule's requests.
	Simulate *ModelSpec `yaml:"simulate"`
	// Faults are injected, in order, on every request the rule takes
	// (each as its gate allows).
	Faults []FaultSpec `yaml:"faults"`
}

// MatchSpec is a rule's predicates. All are optional and all must hold.
type MatchSpec struct {
	// Provider is the provider's name in providers: openai, anthropic,
	// azure, gemini, groq, … (not its dialect).
	Provider string `yaml:"provider" json:"provider,omitempty"`
	// Host is a glob on the request's host, without port.
	Host string `yaml:"host" json:"host,omitempty"`
	// Path is a glob on the API path, e.g. /v1/chat/completions.
	Path string `yaml:"path" json:"path,omitempty"`
	// Method is an HTTP method, e.g. POST.
	Method string `yaml:"method" json:"method,omitempty"`
	// Model is a glob on the body's "model".
	Model string `yaml:"model" json:"model,omitempty"`
	// Stream matches streaming (true) or non-streaming (false) requests.
	Stream *bool `yaml:"stream" json:"stream,omitempty"`
	// Headers maps header names to globs on their values.
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	// Body maps dotted JSON paths (metadata.user_id) to a value or glob.
	Body map[string]string `yaml:"body" json:"body,omitempty"`
	// Scope is the value of the request's x-llmsim-scope header: parallel
	// tests each set their own, and get their own faults and state.
	Scope string `yaml:"scope" json:"scope,omitempty"`
}

// MaxScopeBytes is the longest scope a request may carry (the front
// refuses longer ones with the provider's 400): a test's name or id fits,
// and a client cannot make the state kept per scope large by its names.
const MaxScopeBytes = 256

// Check reports the first problem of a match: a scope longer than any
// request's, or a glob that does not compile. The rule engine compiles
// what it accepts.
func (m *MatchSpec) Check() error {
	if len(m.Scope) > MaxScopeBytes {
		return fmt.Errorf("scope is %d bytes long: a request's x-llmsim-scope may be at most %d, so none could match", len(m.Scope), MaxScopeBytes)
	}
	globs := [][2]string{{"path", m.Path}, {"host", m.Host}, {"model", m.Model}}
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		globs = append(globs, [2]string{"headers." + name, m.Headers[name]})
	}
	for _, p := range slices.Sorted(maps.Keys(m.Body)) {
		globs = append(globs, [2]string{"body." + p, m.Body[p]})
	}
	for _, g := range globs {
		if _, err := glob.Compile(g[1]); err != nil {
			return fmt.Errorf("match.%s: %q is not a valid glob: %w", g[0], g[1], err)
		}
	}
	return nil
}

// empty reports whether the spec matches every request.
func (m *MatchSpec) empty() bool {
	return m.Provider == "" && m.Host == "" && m.Path == "" && m.Method == "" && m.Model == "" &&
		m.Stream == nil && len(m.Headers) == 0 && len(m.Body) == 0 && m.Scope == ""
}

// RespondSpec scripts the answers of a simulate rule: one answer, or a
// sequence the nth matching call steps through (the last then repeats).
type RespondSpec struct {
	AnswerSpec `yaml:",inline"`
	// Sequence is the answers to successive matching calls, per scope.
	Sequence []AnswerSpec `yaml:"sequence"`

	// Digest identifies the section's content, set when the file is
	// checked: a sequence's position, kept per scope, survives a reload
	// exactly when it is unchanged.
	Digest uint64 `yaml:"-"`
}

// AnswerSpec is one scripted answer.
type AnswerSpec struct {
	// Text is the answer's text.
	Text *string `yaml:"text"`
	// ToolCalls are tool calls to answer with (tool_use for Anthropic).
	ToolCalls []ToolCallSpec `yaml:"tool_calls"`
	// FinishReason is OpenAI's: stop, length, tool_calls or content_filter.
	// Default: tool_calls with tool calls, stop otherwise.
	FinishReason string `yaml:"finish_reason"`
	// StopReason is Anthropic's: end_turn, max_tokens, stop_sequence,
	// tool_use or refusal. Default: tool_use with tool calls, else end_turn.
	StopReason string `yaml:"stop_reason"`
	// Usage overrides the counted token usage.
	Usage *UsageSpec `yaml:"usage"`
}

// ToolCallSpec is a scripted tool call.
type ToolCallSpec struct {
	// Name is the function or tool name. Required.
	Name string `yaml:"name"`
	// Arguments is a mapping (or a JSON string) sent as the call's
	// arguments. Default {}.
	Arguments JSONValue `yaml:"arguments"`
}

// UsageSpec overrides token counts.
type UsageSpec struct {
	// PromptTokens (input_tokens for Anthropic).
	PromptTokens *int `yaml:"prompt_tokens"`
	// CompletionTokens (output_tokens for Anthropic).
	CompletionTokens *int `yaml:"completion_tokens"`
}

// Answers is the spec's answers in order: the sequence, or the one.
func (r *RespondSpec) Answers() []AnswerSpec {
	if len(r.Sequence) > 0 {
		return r.Sequence
	}
	return []AnswerSpec{r.AnswerSpec}
}

// JSONValue is any YAML value carried as JSON: a mapping or list is
// converted, a string holding JSON is taken as it is.
type JSONValue struct {
	Raw json.RawMessage
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (j *JSONValue) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && json.Valid([]byte(n.Value)) {
		j.Raw = json.RawMessage(n.Value)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return units.Errorf(n, "expected a JSON-like value: %v", err)
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return units.Errorf(n, "cannot be written as JSON: %v", err)
	}
	j.Raw = b
	return nil
}

// MarshalYAML writes the value back as JSON text.
func (j JSONValue) MarshalYAML() (any, error) { return string(j.Raw), nil }

// jsonable turns YAML's map[string]any (and, for odd keys,
// map[any]any) into what encoding/json accepts.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
	}
	return v
}
