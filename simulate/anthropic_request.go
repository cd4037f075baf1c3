package simulate

import (
	"encoding/json"
	"fmt"

	"github.com/llm-simulator/llm-simulator/wire"
)

// messagesRequest is a Messages API request (POST /v1/messages, and
// count_tokens, which takes the same fields but max_tokens).
type messagesRequest struct {
	Model         *string              `json:"model"`
	Messages      *[]anthropicMessage  `json:"messages"`
	MaxTokens     *int                 `json:"max_tokens"`
	System        json.RawMessage      `json:"system"`
	StopSequences []string             `json:"stop_sequences"`
	Stream        *bool                `json:"stream"`
	Temperature   *float64             `json:"temperature"`
	TopP          *float64             `json:"top_p"`
	TopK          *int                 `json:"top_k"`
	Tools         []anthropicTool      `json:"tools"`
	ToolChoice    *anthropicToolChoice `json:"tool_choice"`
	Thinking      *anthropicThinking   `json:"thinking"`
	OutputConfig  *outputConfig        `json:"output_config"`
	Metadata      *struct {
		UserID *string `json:"user_id"`
	} `json:"metadata"`
	ServiceTier *string `json:"service_tier"`
}

// outputConfig is structured output (format) and effort.
type outputConfig struct {
	Effort *string `json:"effort"`
	Format *struct {
		Type   *string         `json:"type"`
		Schema json.RawMessage `json:"schema"`
	} `json:"format"`
}

type anthropicMessage struct {
	Role    *string         `json:"role"`
	Content json.RawMessage `json:"content"`
}

// anthropicBlock is one content block of a request message.
type anthropicBlock struct {
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Name    string          `json:"name"`
	Input   json.RawMessage `json:"input"`
	Content json.RawMessage `json:"content"` // tool_result
}

type anthropicTool struct {
	Type        *string         `json:"type"`
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type anthropicToolChoice struct {
	Type *string `json:"type"`
	Name *string `json:"name"`
}

type anthropicThinking struct {
	Type         *string `json:"type"`
	BudgetTokens *int    `json:"budget_tokens"`
	Display      *string `json:"display"` // summarized (default) or omitted
}

// Anthropic reports validation problems as "path: message".
func fieldRequired(path string) *wire.APIError {
	return badRequest("", "", "%s: Field required", path)
}

func fieldInvalid(path, format string, args ...any) *wire.APIError {
	return badRequest("", "", "%s: %s", path, fmt.Sprintf(format, args...))
}

func (r *messagesRequest) validate(needMaxTokens bool) *wire.APIError {
	switch {
	case r.Model == nil:
		return fieldRequired("model")
	case r.Messages == nil:
		return fieldRequired("messages")
	case needMaxTokens && r.MaxTokens == nil:
		return fieldRequired("max_tokens")
	case r.MaxTokens != nil && *r.MaxTokens < 1:
		return fieldInvalid("max_tokens", "Input should be greater than or equal to 1")
	case len(*r.Messages) == 0:
		return fieldInvalid("messages", "List should have at least 1 item after validation, not 0")
	}
	for i, m := range *r.Messages {
		if e := m.validate(i); e != nil {
			return e
		}
	}
	for _, e := range []*wire.APIError{
		anthropicBounds("temperature", r.Temperature, 0, 1),
		anthropicBounds("top_p", r.TopP, 0, 1),
		r.validateTools(),
		r.validateThinking(),
		r.OutputConfig.validate(),
	} {
		if e != nil {
			return e
		}
	}
	if r.TopK != nil && *r.TopK < 0 {
		return fieldInvalid("top_k", "Input should be greater than or equal to 0")
	}
	return nil
}

func (m *anthropicMessage) validate(i int) *wire.APIError {
	at := fmt.Sprintf("messages.%d", i)
	if m.Role == nil {
		return fieldRequired(at + ".role")
	}
	if *m.Role != "user" && *m.Role != "assistant" {
		return fieldInvalid(at+".role", "Input should be 'user' or 'assistant'")
	}
	if len(m.Content) == 0 {
		return fieldRequired(at + ".content")
	}
	if _, _, ok := anthropicContent(m.Content); !ok {
		return fieldInvalid(at+".content", "Input should be a valid list")
	}
	return nil
}

func anthropicBounds(path string, v *float64, lo, hi float64) *wire.APIError {
	switch {
	case v == nil:
		return nil
	case *v < lo:
		return fieldInvalid(path, "Input should be greater than or equal to %s", num(lo))
	case *v > hi:
		return fieldInvalid(path, "Input should be less than or equal to %s", num(hi))
	}
	return nil
}

var anthropicToolChoices = []string{"auto", "any", "tool", "none"}

func (r *messagesRequest) validateTools() *wire.APIError {
	for i, t := range r.Tools {
		at := fmt.Sprintf("tools.%d", i)
		if t.Name == nil || *t.Name == "" {
			return fieldRequired(at + ".name")
		}
		custom := t.Type == nil || *t.Type == "custom"
		if custom && len(t.InputSchema) == 0 {
			return fieldRequired(at + ".custom.input_schema")
		}
		if custom && rawKind(t.InputSchema) != "object" {
			return fieldInvalid(at+".custom.input_schema", "Input should be a valid dictionary")
		}
	}
	tc := r.ToolChoice
	if tc == nil {
		return nil
	}
	if tc.Type == nil {
		return fieldRequired("tool_choice.type")
	}
	if !oneOf(*tc.Type, anthropicToolChoices) {
		return fieldInvalid("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'")
	}
	if *tc.Type == "tool" {
		if tc.Name == nil {
			return fieldRequired("tool_choice.tool.name")
		}
		for _, t := range r.Tools {
			if t.Name != nil && *t.Name == *tc.Name {
				return nil
			}
		}
		return badRequest("", "", "Tool '%s' not found in provided tools", *tc.Name)
	}
	return nil
}

const minThinkingBudget = 1024

func (r *messagesRequest) validateThinking() *wire.APIError {
	t := r.Thinking
	if t == nil || t.Type == nil {
		return nil
	}
	if d := t.Display; d != nil && *d != "summarized" && *d != "omitted" {
		return fieldInvalid("thinking."+*t.Type+".display", "Input should be 'summarized' or 'omitted'")
	}
	switch *t.Type {
	case "disabled", "adaptive":
		return nil
	case "enabled":
	default:
		return fieldInvalid("thinking.type", "Input should be 'enabled', 'disabled' or 'adaptive'")
	}
	if t.BudgetTokens == nil {
		return fieldRequired("thinking.enabled.budget_tokens")
	}
	if *t.BudgetTokens < minThinkingBudget {
		return fieldInvalid("thinking.enabled.budget_tokens", "Input should be greater than or equal to %d", minThinkingBudget)
	}
	if r.MaxTokens != nil && *r.MaxTokens <= *t.BudgetTokens {
		return badRequest("", "", "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size")
	}
	return nil
}

var efforts = []string{"low", "medium", "high", "xhigh", "max"}

func (o *outputConfig) validate() *wire.APIError {
	if o == nil {
		return nil
	}
	if o.Effort != nil && !oneOf(*o.Effort, efforts) {
		return fieldInvalid("output_config.effort", "Input should be 'low', 'medium', 'high', 'xhigh' or 'max'")
	}
	if f := o.Format; f != nil {
		if f.Type != nil && *f.Type != "json_schema" {
			return fieldInvalid("output_config.format.type", "Input should be 'json_schema'")
		}
		if len(f.Schema) == 0 {
			return fieldRequired("output_config.format.schema")
		}
		if rawKind(f.Schema) != "object" {
			return fieldInvalid("output_config.format.schema", "Input should be a valid dictionary")
		}
	}
	return nil
}

// anthropicContent flattens a message content (a string or a list of
// blocks) to its text; it also reports whether the content ends with a
// tool result. Non-text blocks count as imagePartTokens.
func anthropicContent(raw json.RawMessage) (text string, toolResult bool, ok bool) {
	if len(raw) > 0 && raw[0] == '"' {
		err := json.Unmarshal(raw, &text)
		return text, false, err == nil
	}
	var blocks []anthropicBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return "", false, false
	}
	for _, b := range blocks {
		switch b.Type {
		case "text":
			text = joinNonEmpty(text, b.Text)
		case "tool_result":
			inner, _, _ := anthropicContent(b.Content)
			text = joinNonEmpty(text, inner)
		case "tool_use":
			text = joinNonEmpty(text, b.Name+" "+string(b.Input))
		}
	}
	if len(blocks) > 0 {
		toolResult = blocks[len(blocks)-1].Type == "tool_result"
	}
	return text, toolResult, true
}

// prompt reduces the request. Input tokens are counted as for OpenAI:
// 3 per message plus its content, the system prompt, and the tool
// definitions; count_tokens answers the same number.
func (r *messagesRequest) prompt(endpoint string) *prompt {
	p := &prompt{model: *r.Model, n: 1, choice: toolChoice{mode: toolsAuto}, maxTokens: deref(r.MaxTokens, -1), stop: r.StopSequences}
	tokens := 3
	if len(r.System) > 0 {
		sys, _, _ := anthropicContent(r.System)
		p.data.System = sys
		tokens += 3 + CountTokens(sys)
	}
	for _, t := range r.Tools {
		if t.Type != nil && *t.Type != "custom" {
			continue // server tools are accepted, never called
		}
		p.tools = append(p.tools, toolDef{name: *t.Name, schema: t.InputSchema})
		tokens += toolTokens(*t.Name, t.Description, t.InputSchema)
	}
	if tc := r.ToolChoice; tc != nil {
		switch *tc.Type {
		case "none":
			p.choice.mode = toolsNone
		case "any":
			p.choice.mode = toolsRequired
		case "tool":
			p.choice = toolChoice{mode: toolsNamed, name: *tc.Name}
		}
	}
	if t := r.Thinking; t != nil && t.Type != nil {
		switch *t.Type {
		case "enabled":
			p.thinkingBudget = *t.BudgetTokens
		case "adaptive":
			// The model decides how long to think; here, at most half of
			// what max_tokens leaves.
			p.thinkingBudget = max(1, p.maxTokens/2)
		}
		p.thinkingOmitted = t.Display != nil && *t.Display == "omitted"
	}
	if o := r.OutputConfig; o != nil && o.Format != nil {
		p.schema = o.Format.Schema
	}
	msgs := *r.Messages
	for _, m := range msgs {
		text, toolResult, _ := anthropicContent(m.Content)
		tokens += 3 + CountTokens(text)
		if *m.Role == "user" {
			p.data.LastUserMessage = text
		}
		p.afterToolResult = toolResult
	}
	p.data.Model, p.data.Provider, p.data.Endpoint = p.model, "anthropic", endpoint
	p.data.Messages, p.data.PromptTokens = len(msgs), tokens
	return p
}
