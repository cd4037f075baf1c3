package simulate

import (
	"encoding/json"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// prompt reduces a GenerateContentRequest. Input tokens are the text of
// every part (a function call's name and arguments, a function
// response's name and result), the system instruction and the function
// declarations, with no per-message overhead: Gemini bills the content
// alone, and countTokens answers the same number.
func (r *geminiRequest) prompt(model, endpoint string) *prompt {
	p := &prompt{model: model, n: 1, choice: toolChoice{mode: toolsAuto}, maxTokens: -1}
	tokens := 0
	if r.SystemInstruction != nil {
		sys := r.SystemInstruction.text()
		p.data.System = sys
		tokens += CountTokens(sys) + r.SystemInstruction.mediaTokens()
	}
	if g := r.GenerationConfig; g != nil {
		p.n = deref(g.CandidateCount, 1)
		if g.MaxOutputTokens != nil && *g.MaxOutputTokens > 0 {
			p.maxTokens = *g.MaxOutputTokens
		}
		p.stop = g.StopSequences
		if g.jsonOut() {
			p.schema = geminiOutputSchema(g)
		}
		if t := g.ThinkingConfig; t != nil && t.ThinkingBudget != nil && *t.ThinkingBudget > 0 {
			p.thinkingBudget = *t.ThinkingBudget
			p.thinkingOmitted = t.IncludeThoughts == nil || !*t.IncludeThoughts
		}
	}
	for _, t := range r.Tools {
		for _, f := range t.FunctionDeclarations {
			schema := f.ParametersJSONSchema
			if len(schema) == 0 {
				schema = geminiSchema(f.Parameters)
			}
			p.tools = append(p.tools, toolDef{name: *f.Name, schema: schema})
			tokens += toolTokens(*f.Name, f.Description, schema)
		}
	}
	r.fillToolChoice(p)
	contents := *r.Contents
	for _, c := range contents {
		text := c.text()
		tokens += CountTokens(text) + c.mediaTokens()
		if c.Role == nil || *c.Role == "user" {
			p.data.LastUserMessage = text
		}
	}
	p.afterToolResult = contents[len(contents)-1].endsWithFunctionResponse()
	p.data.Model, p.data.Provider, p.data.Endpoint = model, "gemini", endpoint
	p.data.Messages, p.data.PromptTokens = len(contents), tokens
	return p
}

// fillToolChoice reads functionCallingConfig: NONE calls nothing, ANY
// always calls (the one allowed function when it names just one).
func (r *geminiRequest) fillToolChoice(p *prompt) {
	tc := r.ToolConfig
	if tc == nil || tc.FunctionCallingConfig == nil || tc.FunctionCallingConfig.Mode == nil {
		return
	}
	switch *tc.FunctionCallingConfig.Mode {
	case "NONE":
		p.choice.mode = toolsNone
	case "ANY", "VALIDATED":
		p.choice.mode = toolsRequired
		if names := tc.FunctionCallingConfig.AllowedFunctionNames; len(names) == 1 {
			p.choice = toolChoice{mode: toolsNamed, name: names[0]}
		}
	}
}

// text is a content's parts as text: what the model reads of them.
func (c *geminiContent) text() string {
	var out string
	for _, part := range c.Parts {
		switch {
		case part.Text != nil && (part.Thought == nil || !*part.Thought):
			out = joinNonEmpty(out, *part.Text)
		case part.FunctionCall != nil:
			out = joinNonEmpty(out, part.FunctionCall.Name+" "+string(part.FunctionCall.Args))
		case part.FunctionResponse != nil:
			out = joinNonEmpty(out, part.FunctionResponse.Name+" "+string(part.FunctionResponse.Response))
		}
	}
	return out
}

// mediaTokens is what a content's media parts count for.
func (c *geminiContent) mediaTokens() int {
	n := 0
	for _, part := range c.Parts {
		if len(part.InlineData) > 0 || len(part.FileData) > 0 {
			n += imagePartTokens
		}
	}
	return n
}

func (c *geminiContent) endsWithFunctionResponse() bool {
	return len(c.Parts) > 0 && c.Parts[len(c.Parts)-1].FunctionResponse != nil
}

// geminiOutputSchema is the schema a JSON answer follows: the config's
// JSON Schema, its OpenAPI-style responseSchema, or any object.
func geminiOutputSchema(g *geminiGenConfig) []byte {
	switch {
	case len(g.ResponseJSONSchema) > 0:
		return g.ResponseJSONSchema
	case len(g.ResponseSchema) > 0:
		return geminiSchema(g.ResponseSchema)
	}
	return jsonObjectSchema
}

// geminiSchema turns Gemini's OpenAPI-style Schema, whose types are upper
// case (OBJECT, STRING, …), into the JSON Schema the generator reads;
// the rest of its keywords (properties, items, enum, nullable, format,
// minItems, …) mean the same in both.
func geminiSchema(raw json.RawMessage) []byte {
	if len(raw) == 0 || rawKind(raw) != "object" {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	lowerTypes(v)
	out, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return out
}

// lowerTypes lowercases every "type" keyword's value under v and drops
// TYPE_UNSPECIFIED, which constrains nothing.
func lowerTypes(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if t, ok := x.(string); ok && k == "type" {
				if t == "TYPE_UNSPECIFIED" {
					delete(v, k)
				} else {
					v[k] = strings.ToLower(t)
				}
				continue
			}
			lowerTypes(x)
		}
	case []any:
		for _, x := range v {
			lowerTypes(x)
		}
	}
}

// estimateGemini counts the prompt of a generateContent or countTokens
// call (0 for any other): what the simulator will bill.
func estimateGemini(path string, body []byte) int {
	model, method, _ := wire.GeminiMethod(path)
	var r geminiRequest
	switch method {
	case "generateContent", "streamGenerateContent":
		if decodeGemini(body, &r) != nil {
			return 0
		}
	case "countTokens":
		var ct countTokensRequest
		if decodeGemini(body, &ct) != nil {
			return 0
		}
		if r.Contents = ct.Contents; ct.GenerateContentRequest != nil {
			r = *ct.GenerateContentRequest
		}
	default:
		return 0
	}
	if r.validate() != nil {
		return 0
	}
	return r.prompt(model, path).data.PromptTokens
}
