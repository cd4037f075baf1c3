package simulate

import (
	"encoding/json"
	"fmt"

	"github.com/llm-simulator/llm-simulator/wire"
)

// responsesRequest is a Responses API request (POST /v1/responses).
type responsesRequest struct {
	Model              *string           `json:"model"`
	Input              json.RawMessage   `json:"input"`
	Instructions       *string           `json:"instructions"`
	MaxOutputTokens    *int              `json:"max_output_tokens"`
	Tools              []json.RawMessage `json:"tools"`
	ToolChoice         json.RawMessage   `json:"tool_choice"`
	Text               *responsesText    `json:"text"`
	Stream             *bool             `json:"stream"`
	Temperature        *float64          `json:"temperature"`
	TopP               *float64          `json:"top_p"`
	ParallelToolCalls  *bool             `json:"parallel_tool_calls"`
	Store              *bool             `json:"store"`
	Metadata           map[string]string `json:"metadata"`
	PreviousResponseID *string           `json:"previous_response_id"`
	Reasoning          json.RawMessage   `json:"reasoning"`
	User               *string           `json:"user"`
	Truncation         *string           `json:"truncation"`
	ServiceTier        *string           `json:"service_tier"`
	TopLogprobs        *int              `json:"top_logprobs"`
}

type responsesText struct {
	Format    *responsesFormat `json:"format"`
	Verbosity *string          `json:"verbosity"`
}

type responsesFormat struct {
	Type        *string         `json:"type"`
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Strict      *bool           `json:"strict"`
}

// responsesTool is a function tool in the Responses API's flat form.
type responsesTool struct {
	Type        string          `json:"type"`
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict"`
}

// inputItem is one element of an array input: a message, or a function
// call and its output from an earlier turn.
type inputItem struct {
	Type    string          `json:"type"`
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Output  json.RawMessage `json:"output"`
	Name    string          `json:"name"`
	Args    string          `json:"arguments"`
}

var inputRoles = []string{"user", "assistant", "system", "developer"}

func (r *responsesRequest) validate() ([]inputItem, []responsesTool, *wire.APIError) {
	if r.Model == nil || *r.Model == "" {
		return nil, nil, missing("model")
	}
	if len(r.Input) == 0 || string(r.Input) == "null" {
		return nil, nil, missing("input")
	}
	items, e := parseInput(r.Input)
	if e != nil {
		return nil, nil, e
	}
	tools, e := parseResponsesTools(r.Tools)
	if e != nil {
		return nil, nil, e
	}
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		names = append(names, *t.Name)
	}
	for _, e := range []*wire.APIError{
		intAtLeast("max_output_tokens", r.MaxOutputTokens, 16),
		numBetween("temperature", r.Temperature, 0, 2),
		numBetween("top_p", r.TopP, 0, 1),
		intBetween("top_logprobs", r.TopLogprobs, 0, 20),
		validateToolChoice(r.ToolChoice, len(r.Tools) > 0, names),
		r.Text.validate(),
	} {
		if e != nil {
			return nil, nil, e
		}
	}
	return items, tools, nil
}

func parseInput(raw json.RawMessage) ([]inputItem, *wire.APIError) {
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, badRequest("input", "invalid_type", "Invalid type for 'input': expected one of a string or array of input items.")
		}
		text, _ := json.Marshal(s)
		return []inputItem{{Type: "message", Role: "user", Content: text}}, nil
	}
	var items []inputItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, badRequest("input", "invalid_type", "Invalid type for 'input': expected one of a string or array of input items, but got %s instead.", article(rawKind(raw)))
	}
	if len(items) == 0 {
		return nil, badRequest("input", "empty_array", "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	for i := range items {
		it := &items[i]
		if it.Type == "" {
			it.Type = "message"
		}
		if it.Type != "message" {
			continue
		}
		if !oneOf(it.Role, inputRoles) {
			return nil, invalidValue(fmt.Sprintf("input[%d].role", i), it.Role, inputRoles)
		}
		if _, ok := contentText(it.Content); !ok || len(it.Content) == 0 {
			return nil, missing(fmt.Sprintf("input[%d].content", i))
		}
	}
	return items, nil
}

func parseResponsesTools(raw []json.RawMessage) ([]responsesTool, *wire.APIError) {
	var tools []responsesTool
	for i, r := range raw {
		var t responsesTool
		if err := json.Unmarshal(r, &t); err != nil {
			return nil, badRequest(fmt.Sprintf("tools[%d]", i), "invalid_type", "Invalid type for 'tools[%d]': expected an object.", i)
		}
		if t.Type != "function" {
			continue // built-in tools (web search, …) are accepted and never called
		}
		if t.Name == nil || *t.Name == "" {
			return nil, missing(fmt.Sprintf("tools[%d].name", i))
		}
		tools = append(tools, t)
	}
	return tools, nil
}

func (t *responsesText) validate() *wire.APIError {
	if t == nil || t.Format == nil {
		return nil
	}
	f := t.Format
	if f.Type == nil {
		return missing("text.format.type")
	}
	if !oneOf(*f.Type, formatTypes) {
		return invalidValue("text.format.type", *f.Type, formatTypes)
	}
	if *f.Type == "json_schema" {
		if f.Name == nil || *f.Name == "" {
			return missing("text.format.name")
		}
		if len(f.Schema) == 0 {
			return missing("text.format.schema")
		}
	}
	return nil
}

func (t *responsesText) outputSchema() []byte {
	if t == nil || t.Format == nil || t.Format.Type == nil {
		return nil
	}
	switch *t.Format.Type {
	case "json_object":
		return jsonObjectSchema
	case "json_schema":
		return t.Format.Schema
	}
	return nil
}

// prompt reduces the request: instructions are the system prompt, and
// tokens count as for chat, per item.
func (r *responsesRequest) prompt(items []inputItem, tools []responsesTool, endpoint string) *prompt {
	p := &prompt{model: *r.Model, n: 1, choice: toolChoice{mode: toolsAuto}, maxTokens: deref(r.MaxOutputTokens, -1)}
	p.schema = r.Text.outputSchema()
	if len(r.ToolChoice) > 0 && string(r.ToolChoice) != "null" {
		p.choice, _ = parseToolChoice(r.ToolChoice)
	}
	tokens := 3
	if r.Instructions != nil {
		p.data.System = *r.Instructions
		tokens += 3 + CountTokens(*r.Instructions)
	}
	for _, t := range tools {
		p.tools = append(p.tools, toolDef{name: *t.Name, schema: t.Parameters})
		tokens += toolTokens(*t.Name, t.Description, t.Parameters)
	}
	for _, it := range items {
		text, extra, _ := contentTextAndExtra(it.Content)
		switch it.Type {
		case "function_call_output":
			text, extra, _ = contentTextAndExtra(it.Output)
		case "function_call":
			text = it.Name + " " + it.Args
		}
		tokens += 3 + CountTokens(text) + extra
		switch {
		case it.Type == "message" && it.Role == "user":
			p.data.LastUserMessage = text
		case it.Type == "message" && (it.Role == "system" || it.Role == "developer"):
			p.data.System = joinNonEmpty(p.data.System, text)
		}
	}
	p.afterToolResult = items[len(items)-1].Type == "function_call_output"
	p.data.Model, p.data.Provider, p.data.Endpoint = p.model, "openai", endpoint
	p.data.Messages, p.data.PromptTokens = len(items), tokens
	return p
}

// asked is what the request asks of its answer's size. A stream repeats
// the text in its done events and the response (with the instructions and
// tools the request gave) in its first and last.
func (r *responsesRequest) asked() asked {
	a := asked{param: "max_output_tokens", stream: r.Stream != nil && *r.Stream, logprobs: -1, copies: 1}
	if r.Instructions != nil {
		a.fixed += len(*r.Instructions)
	}
	for _, t := range r.Tools {
		a.fixed += len(t)
	}
	if a.stream {
		a.copies, a.fixed = 5, 3*a.fixed
	}
	return a
}
