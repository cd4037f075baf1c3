package simulate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// chatRequest is a chat completions request. Fields whose absence matters
// are pointers; fields the API accepts in several shapes stay raw until
// validated.
//
// The fields every request carries are values, not pointers, so decoding
// them allocates nothing: an absent or empty model is refused alike, and
// an absent messages array decodes as nil where an empty one does not.
type chatRequest struct {
	Model               string           `json:"model"`
	Messages            []chatMessage    `json:"messages"`
	MaxTokens           *int             `json:"max_tokens"`
	MaxCompletionTokens *int             `json:"max_completion_tokens"`
	N                   *int             `json:"n"`
	Stop                json.RawMessage  `json:"stop"`
	Stream              *bool            `json:"stream"`
	StreamOptions       *streamOptions   `json:"stream_options"`
	Tools               []chatTool       `json:"tools"`
	ToolChoice          json.RawMessage  `json:"tool_choice"`
	ResponseFormat      *responseFormat  `json:"response_format"`
	Temperature         *float64         `json:"temperature"`
	TopP                *float64         `json:"top_p"`
	PresencePenalty     *float64         `json:"presence_penalty"`
	FrequencyPenalty    *float64         `json:"frequency_penalty"`
	Logprobs            *bool            `json:"logprobs"`
	TopLogprobs         *int             `json:"top_logprobs"`
	ServiceTier         *string          `json:"service_tier"`
	Seed                *int64           `json:"seed"`
	ParallelToolCalls   *bool            `json:"parallel_tool_calls"`
	User                *string          `json:"user"`
	Metadata            map[string]any   `json:"metadata"`
	LogitBias           map[string]int64 `json:"logit_bias"`
}

type streamOptions struct {
	IncludeUsage       *bool `json:"include_usage"`
	IncludeObfuscation *bool `json:"include_obfuscation"`
}

type chatMessage struct {
	Role       string          `json:"role"`
	Content    messageContent  `json:"content"`
	Name       *string         `json:"name"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
	ToolCallID *string         `json:"tool_call_id"`

	// extra is the tokens of the content's non-text parts, counted once
	// by validate.
	extra int
}

// messageContent is a message's content: a string, decoded straight into
// text (the common case costs one allocation, not a copy and then a
// decode), or an array of parts, kept raw until validate flattens it.
type messageContent struct {
	raw  json.RawMessage // the array form, or invalid input; nil for a string
	text string
	set  bool // present and not null
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *messageContent) UnmarshalJSON(b []byte) error {
	*c = messageContent{}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		s, err := unquote(b)
		c.text, c.set = s, true
		return err
	}
	c.raw, c.set = append(json.RawMessage(nil), b...), true
	return nil
}

type chatTool struct {
	Type     *string       `json:"type"`
	Function *functionSpec `json:"function"`
}

type functionSpec struct {
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict"`
}

type responseFormat struct {
	Type       *string     `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name   *string         `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict *bool           `json:"strict"`
}

// contentPart is one element of an array-form message content.
type contentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// imagePartTokens is what an image or audio part counts for: the price of
// a low-detail image.
const imagePartTokens = 85

var chatRoles = []string{"system", "assistant", "user", "function", "tool", "developer"}

func (r *chatRequest) validate() *wire.APIError {
	if r.Model == "" {
		return badRequest("", "", "you must provide a model parameter")
	}
	if r.Messages == nil {
		return missing("messages")
	}
	if len(r.Messages) == 0 {
		return badRequest("messages", "empty_array", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	for i := range r.Messages {
		if e := r.Messages[i].validate(i); e != nil {
			return e
		}
	}
	checks := []*wire.APIError{
		intAtLeast("max_tokens", r.MaxTokens, 1),
		intAtLeast("max_completion_tokens", r.MaxCompletionTokens, 1),
		intBetween("n", r.N, 1, 128),
		numBetween("temperature", r.Temperature, 0, 2),
		numBetween("top_p", r.TopP, 0, 1),
		numBetween("presence_penalty", r.PresencePenalty, -2, 2),
		numBetween("frequency_penalty", r.FrequencyPenalty, -2, 2),
		intBetween("top_logprobs", r.TopLogprobs, 0, 20),
		validateStop(r.Stop, 4),
		validateTools(r.Tools),
		validateToolChoice(r.ToolChoice, len(r.Tools) > 0, r.toolNames()),
		r.ResponseFormat.validate(),
	}
	for _, e := range checks {
		if e != nil {
			return e
		}
	}
	if r.StreamOptions != nil && (r.Stream == nil || !*r.Stream) {
		return badRequest("stream_options", "invalid_value", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	return nil
}

func (m *chatMessage) validate(i int) *wire.APIError {
	at := lazyPath{"messages[", i, "]"}
	if m.Role == "" {
		return missing(at.with(".role"))
	}
	if !oneOf(m.Role, chatRoles) {
		return invalidValue(at.with(".role"), m.Role, chatRoles)
	}
	// An assistant turn may carry only tool calls; every other needs content.
	if m.Role != "assistant" && !m.Content.set {
		return missing(at.with(".content"))
	}
	if m.Role == "tool" && m.ToolCallID == nil {
		return missing(at.with(".tool_call_id"))
	}
	if m.Content.raw != nil {
		text, extra, ok := contentTextAndExtra(m.Content.raw)
		if !ok {
			return badRequest(at.with(".content"), "invalid_type", "Invalid type for '%s': expected one of a string or array of objects, but got %s instead.", at.with(".content"), article(rawKind(m.Content.raw)))
		}
		m.Content.text, m.extra = text, extra
	}
	return nil
}

// lazyPath is a parameter path like messages[3] that is only formatted
// when an error names it: validation runs on every request.
type lazyPath struct {
	prefix string
	i      int
	suffix string
}

func (p lazyPath) with(field string) string {
	return p.prefix + strconv.Itoa(p.i) + p.suffix + field
}

func (r *chatRequest) toolNames() []string {
	names := make([]string, 0, len(r.Tools))
	for _, t := range r.Tools {
		if t.Function != nil && t.Function.Name != nil {
			names = append(names, *t.Function.Name)
		}
	}
	return names
}

func validateTools(tools []chatTool) *wire.APIError {
	for i, t := range tools {
		at := fmt.Sprintf("tools[%d]", i)
		if t.Type == nil {
			return missing(at + ".type")
		}
		if !oneOf(*t.Type, []string{"function", "custom"}) {
			return invalidValue(at+".type", *t.Type, []string{"function", "custom"})
		}
		if *t.Type != "function" {
			continue
		}
		if t.Function == nil {
			return missing(at + ".function")
		}
		if t.Function.Name == nil || *t.Function.Name == "" {
			return missing(at + ".function.name")
		}
		if p := t.Function.Parameters; len(p) > 0 && rawKind(p) != "object" && string(p) != "null" {
			return badRequest(at+".function.parameters", "invalid_type", "Invalid type for '%s.function.parameters': expected an object, but got %s instead.", at, article(rawKind(p)))
		}
	}
	return nil
}

// validateToolChoice accepts "none", "auto", "required" or a named
// function that is among the tools.
func validateToolChoice(raw json.RawMessage, haveTools bool, names []string) *wire.APIError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if !haveTools {
		return badRequest("tool_choice", "", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.")
	}
	tc, e := parseToolChoice(raw)
	if e != nil {
		return e
	}
	if tc.mode == toolsNamed && !oneOf(tc.name, names) {
		return badRequest("tool_choice", "invalid_value", "Invalid value for 'tool_choice': function '%s' is not among the 'tools'.", tc.name)
	}
	return nil
}

var toolChoiceModes = []string{"none", "auto", "required"}

func parseToolChoice(raw json.RawMessage) (toolChoice, *wire.APIError) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "none":
			return toolChoice{mode: toolsNone}, nil
		case "auto":
			return toolChoice{mode: toolsAuto}, nil
		case "required":
			return toolChoice{mode: toolsRequired}, nil
		}
		return toolChoice{}, invalidValue("tool_choice", s, toolChoiceModes)
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
		Name string `json:"name"` // the Responses API's flat form
	}
	if json.Unmarshal(raw, &named) != nil || named.Type != "function" {
		return toolChoice{}, badRequest("tool_choice", "invalid_type", "Invalid type for 'tool_choice': expected one of 'none', 'auto', 'required' or a named function.")
	}
	name := named.Function.Name
	if name == "" {
		name = named.Name
	}
	if name == "" {
		return toolChoice{}, missing("tool_choice.function.name")
	}
	return toolChoice{mode: toolsNamed, name: name}, nil
}

var formatTypes = []string{"text", "json_object", "json_schema"}

func (f *responseFormat) validate() *wire.APIError {
	if f == nil {
		return nil
	}
	if f.Type == nil {
		return missing("response_format.type")
	}
	if !oneOf(*f.Type, formatTypes) {
		return invalidValue("response_format.type", *f.Type, formatTypes)
	}
	if *f.Type == "json_schema" {
		if f.JSONSchema == nil {
			return missing("response_format.json_schema")
		}
		if f.JSONSchema.Name == nil || *f.JSONSchema.Name == "" {
			return missing("response_format.json_schema.name")
		}
	}
	return nil
}

// outputSchema is the schema the answer must follow, or nil for prose.
func (f *responseFormat) outputSchema() []byte {
	switch {
	case f == nil || f.Type == nil:
		return nil
	case *f.Type == "json_object":
		return jsonObjectSchema
	case *f.Type == "json_schema":
		if len(f.JSONSchema.Schema) == 0 {
			return []byte(`{"type":"object"}`)
		}
		return f.JSONSchema.Schema
	}
	return nil
}

func validateStop(raw json.RawMessage, maxLen int) *wire.APIError {
	if _, e := parseStop(raw, maxLen); e != nil {
		return e
	}
	return nil
}

// parseStop reads "stop": a string, or an array of up to maxLen strings.
func parseStop(raw json.RawMessage, maxLen int) ([]string, *wire.APIError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		return nil, badRequest("stop", "invalid_type", "Invalid type for 'stop': expected one of a string or array of strings, but got %s instead.", article(rawKind(raw)))
	}
	if len(many) > maxLen {
		return nil, badRequest("stop", "array_above_max_length", "Invalid 'stop': array too long. Expected an array with maximum length %d, but got an array with length %d instead.", maxLen, len(many))
	}
	return many, nil
}

// contentText flattens a message content (a string, or an array of parts)
// to its text; image and audio parts count as imagePartTokens tokens each,
// returned as extra. ok is false when content has neither shape.
func contentText(raw json.RawMessage) (text string, ok bool) {
	t, _, ok := contentTextAndExtra(raw)
	return t, ok
}

func contentTextAndExtra(raw json.RawMessage) (text string, extraTokens int, ok bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", 0, true
	}
	if raw[0] == '"' {
		s, err := unquote(raw)
		return s, 0, err == nil
	}
	var parts []contentPart
	if json.Unmarshal(raw, &parts) != nil {
		return "", 0, false
	}
	var b strings.Builder
	for _, p := range parts {
		switch p.Type {
		case "text", "input_text", "output_text":
			b.WriteString(p.Text)
		default:
			extraTokens += imagePartTokens
		}
	}
	return b.String(), extraTokens, true
}
