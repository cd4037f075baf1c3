package simulate

import (
	"context"
	"encoding/json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// responseObject is the Responses API's response, in the field order the
// API sends.
type responseObject struct {
	ID                 string            `json:"id"`
	AccessPrograms     accessPrograms    `json:"access_programs"`
	Object             string            `json:"object"`
	CreatedAt          int64             `json:"created_at"`
	Status             string            `json:"status"`
	Background         bool              `json:"background"`
	CompletedAt        *int64            `json:"completed_at"`
	Error              *struct{}         `json:"error"`
	IncompleteDetails  *incompleteReason `json:"incomplete_details"`
	Instructions       *string           `json:"instructions"`
	MaxOutputTokens    *int              `json:"max_output_tokens"`
	Model              string            `json:"model"`
	Output             []outputItem      `json:"output"`
	ParallelToolCalls  bool              `json:"parallel_tool_calls"`
	PreviousResponseID *string           `json:"previous_response_id"`
	Reasoning          reasoningInfo     `json:"reasoning"`
	ServiceTier        string            `json:"service_tier"`
	Store              bool              `json:"store"`
	Temperature        float64           `json:"temperature"`
	Text               json.RawMessage   `json:"text"`
	ToolChoice         json.RawMessage   `json:"tool_choice"`
	Tools              []json.RawMessage `json:"tools"`
	TopLogprobs        int               `json:"top_logprobs"`
	TopP               float64           `json:"top_p"`
	Truncation         string            `json:"truncation"`
	Usage              *responseUsage    `json:"usage,omitempty"`
	User               *string           `json:"user,omitempty"`
	Metadata           map[string]string `json:"metadata"`
}

// accessPrograms is the domain access the response ran under; null
// means the implicit standard program, as the API reports it.
type accessPrograms struct {
	Cyber *string `json:"cyber"`
}

type incompleteReason struct {
	Reason string `json:"reason"`
}

type reasoningInfo struct {
	Effort  *string `json:"effort"`
	Summary *string `json:"summary"`
}

type responseUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens     int `json:"cached_tokens"`
		CacheWriteTokens int `json:"cache_write_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// outputItem is a message or a function call; omitempty keeps each kind
// to its own fields.
type outputItem struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	Status    string      `json:"status"`
	Content   *[]textPart `json:"content,omitempty"`
	Role      string      `json:"role,omitempty"`
	Arguments *string     `json:"arguments,omitempty"`
	CallID    string      `json:"call_id,omitempty"`
	Name      string      `json:"name,omitempty"`
}

type textPart struct {
	Type        string     `json:"type"`
	Annotations []struct{} `json:"annotations"`
	Logprobs    []struct{} `json:"logprobs"`
	Text        string     `json:"text"`
}

func newTextPart(text string) textPart {
	return textPart{Type: "output_text", Annotations: []struct{}{}, Logprobs: []struct{}{}, Text: text}
}

var (
	defaultTextFormat = json.RawMessage(`{"format":{"type":"text"},"verbosity":"medium"}`)
	autoToolChoice    = json.RawMessage(`"auto"`)
)

// echoedText is the text configuration a response reports: the format with
// only its own fields, strict defaulting to false and verbosity to medium,
// as the API documents.
type echoedText struct {
	Format struct {
		Type        string          `json:"type"`
		Name        *string         `json:"name,omitempty"`
		Description *string         `json:"description,omitempty"`
		Schema      json.RawMessage `json:"schema,omitempty"`
		Strict      *bool           `json:"strict,omitempty"`
	} `json:"format"`
	Verbosity string `json:"verbosity"`
}

func echoText(t *responsesText) json.RawMessage {
	if t == nil {
		return defaultTextFormat
	}
	var e echoedText
	e.Format.Type, e.Verbosity = "text", deref(t.Verbosity, "medium")
	if f := t.Format; f != nil && f.Type != nil {
		e.Format.Type = *f.Type
		if *f.Type == "json_schema" {
			strict := deref(f.Strict, false)
			e.Format.Name, e.Format.Schema, e.Format.Strict = f.Name, f.Schema, &strict
			e.Format.Description = f.Description
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return defaultTextFormat
	}
	return b
}

// echoReasoning reports the reasoning settings asked for; null fields
// where none were given.
func echoReasoning(raw json.RawMessage) reasoningInfo {
	var r reasoningInfo
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r)
	}
	return r
}

// responsesCall is a validated Responses request with its plan.
type responsesCall struct {
	c          *Call
	req        *responsesRequest
	p          *prompt
	ch         *choice
	id         string
	msgID      string
	fcIDs      []string
	status     string            // final status: completed or incomplete
	incomplete string            // why, when incomplete
	tools      []json.RawMessage // the request's tools as the response echoes them
}

func serveResponses(ctx context.Context, c *Call, out wire.Sink) error {
	var req responsesRequest
	if e := decodeOpenAI(c.Body, &req); e != nil {
		return c.fail(out, openAI, e)
	}
	items, tools, e := req.validate()
	if e != nil {
		return c.fail(out, openAI, e)
	}
	if !c.Config.allowed(*req.Model) {
		return c.fail(out, openAI, openAIModelNotFound(*req.Model))
	}
	p := req.prompt(items, tools, c.Path)
	m := c.model(p.model)
	c.script(p, "openai")
	if e := c.bound(p, m, req.asked()); e != nil {
		return c.fail(out, openAI, e)
	}
	choices, err := p.plan(m, c.content, c.ids.toolCall, nil)
	if err != nil {
		return c.fail(out, openAI, errSchema(err, "tools"))
	}
	c.report(p, choices)
	rc := &responsesCall{c: c, req: &req, p: p, ch: &choices[0], id: c.ids.response(), msgID: c.ids.outputMessage(),
		status: "completed", tools: echoTools(req.Tools)}
	for range rc.ch.calls {
		rc.fcIDs = append(rc.fcIDs, c.ids.functionCall())
	}
	switch rc.ch.finish {
	case finishLength:
		rc.status, rc.incomplete = "incomplete", "max_output_tokens"
	case finishFiltered:
		rc.status, rc.incomplete = "incomplete", "content_filter"
	}
	pace := newPacer(c, m)
	if req.Stream != nil && *req.Stream {
		return rc.streamOut(ctx, out, pace)
	}
	if err := pace.whole(ctx, p.data.PromptTokens, choices[0].units()); err != nil {
		return err
	}
	resp := rc.object(rc.status, rc.items(rc.status))
	return sendJSON(out, func(n int) wire.Event { return openAIHead(c, wire.NotStream, n) }, resp)
}

// object is the response in a given state, with the given output.
func (rc *responsesCall) object(status string, output []outputItem) *responseObject {
	r := rc.req
	o := &responseObject{ID: rc.id, Object: "response", CreatedAt: rc.c.Start.Unix(), Status: status,
		Instructions: r.Instructions, MaxOutputTokens: r.MaxOutputTokens, Model: rc.p.model, Output: output,
		ParallelToolCalls: deref(r.ParallelToolCalls, true), PreviousResponseID: r.PreviousResponseID,
		ServiceTier: serviceTier(r.ServiceTier), Store: deref(r.Store, true), Temperature: deref(r.Temperature, 1),
		Text: defaultTextFormat, ToolChoice: autoToolChoice, Tools: rc.tools, TopLogprobs: deref(r.TopLogprobs, 0),
		TopP: deref(r.TopP, 1), Truncation: deref(r.Truncation, "disabled"), User: r.User, Metadata: r.Metadata}
	if o.Metadata == nil {
		o.Metadata = map[string]string{}
	}
	o.Text = echoText(r.Text)
	o.Reasoning = echoReasoning(r.Reasoning)
	if len(r.ToolChoice) > 0 && string(r.ToolChoice) != "null" {
		o.ToolChoice = r.ToolChoice
	}
	switch status {
	case "completed":
		done := rc.c.Clock.Now().Unix()
		o.CompletedAt = &done
	case "incomplete":
		o.IncompleteDetails = &incompleteReason{Reason: rc.incomplete}
	}
	if status != "in_progress" {
		u := &responseUsage{InputTokens: rc.p.data.PromptTokens, OutputTokens: rc.ch.tokens}
		u.TotalTokens = u.InputTokens + u.OutputTokens
		o.Usage = u
	}
	return o
}

// items are the output items in their final state.
func (rc *responsesCall) items(status string) []outputItem {
	if len(rc.ch.calls) == 0 {
		return []outputItem{rc.message(status, rc.ch.content(), true)}
	}
	out := make([]outputItem, len(rc.ch.calls))
	for i := range rc.ch.calls {
		out[i] = rc.functionCall(i, status, rc.ch.calls[i].args)
	}
	return out
}

func (rc *responsesCall) message(status, text string, withPart bool) outputItem {
	parts := []textPart{}
	if withPart {
		parts = append(parts, newTextPart(text))
	}
	return outputItem{ID: rc.msgID, Type: "message", Status: status, Content: &parts, Role: "assistant"}
}

func (rc *responsesCall) functionCall(i int, status, args string) outputItem {
	call := rc.ch.calls[i]
	return outputItem{ID: rc.fcIDs[i], Type: "function_call", Status: status, Arguments: &args, CallID: call.id, Name: call.name}
}

// echoedFunctionTool is a function tool as a response echoes it: every
// field present, strict defaulting to true as the API documents.
type echoedFunctionTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description *string         `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict"`
}

func echoTools(raw []json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(raw))
	for _, r := range raw {
		var t responsesTool
		if json.Unmarshal(r, &t) != nil || t.Type != "function" || t.Name == nil {
			out = append(out, r)
			continue
		}
		e := echoedFunctionTool{Type: "function", Name: *t.Name, Description: t.Description,
			Parameters: t.Parameters, Strict: deref(t.Strict, true)}
		if len(e.Parameters) == 0 {
			e.Parameters = jsonNull
		}
		b, err := json.Marshal(e)
		if err != nil {
			b = r
		}
		out = append(out, b)
	}
	return out
}
