package simulate

import (
	"context"
	"encoding/json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// generateContent and streamGenerateContent.

type geminiResponse struct {
	Candidates    []geminiCandidate `json:"candidates"`
	UsageMetadata geminiUsage       `json:"usageMetadata"`
	ModelVersion  string            `json:"modelVersion"`
	ResponseID    string            `json:"responseId"`
}

type geminiCandidate struct {
	Content      geminiOutContent `json:"content"`
	FinishReason string           `json:"finishReason,omitempty"`
	Index        int              `json:"index"`
}

type geminiOutContent struct {
	Parts []geminiOutPart `json:"parts"`
	Role  string          `json:"role"`
}

// geminiOutPart is a text (or thought) part or a function call.
type geminiOutPart struct {
	Text         *string             `json:"text,omitempty"`
	Thought      bool                `json:"thought,omitempty"`
	FunctionCall *geminiFunctionCall `json:"functionCall,omitempty"`
}

type geminiUsage struct {
	PromptTokenCount     int                   `json:"promptTokenCount"`
	CandidatesTokenCount int                   `json:"candidatesTokenCount,omitempty"`
	TotalTokenCount      int                   `json:"totalTokenCount"`
	PromptTokensDetails  []geminiModalityCount `json:"promptTokensDetails"`
	ThoughtsTokenCount   int                   `json:"thoughtsTokenCount,omitempty"`
}

type geminiModalityCount struct {
	Modality   string `json:"modality"`
	TokenCount int    `json:"tokenCount"`
}

func textTokens(n int) []geminiModalityCount {
	return []geminiModalityCount{{Modality: "TEXT", TokenCount: n}}
}

func (f finish) gemini() string {
	switch f {
	case finishLength:
		return "MAX_TOKENS"
	case finishFiltered:
		return "SAFETY"
	}
	return "STOP" // a function call ends as STOP too
}

// geminiCall is a validated generateContent request with its plan.
type geminiCall struct {
	c       *Call
	p       *prompt
	choices []choice
}

func serveGenerateContent(ctx context.Context, c *Call, out wire.Sink, model string) error {
	var req geminiRequest
	if e := decodeGemini(c.Body, &req); e != nil {
		return c.fail(out, gemini, e)
	}
	if e := req.validate(); e != nil {
		return c.fail(out, gemini, e)
	}
	p := req.prompt(model, c.Path)
	m := c.model(model)
	c.script(p, "gemini")
	_, method, _ := wire.GeminiMethod(c.Path)
	if e := c.bound(p, m, asked{stream: method == "streamGenerateContent", logprobs: -1}); e != nil {
		return c.fail(out, gemini, e)
	}
	choices, err := p.plan(m, c.content, func() string { return "" }, nil)
	if err != nil {
		return c.fail(out, gemini, geminiInvalid("%v", err))
	}
	c.report(p, choices)
	gc := &geminiCall{c: c, p: p, choices: choices}
	pace := newPacer(c, m)
	if method == "streamGenerateContent" {
		return gc.stream(ctx, out, pace, queryValue(c.Query, "alt") == "sse")
	}
	units := 0
	for i := range choices {
		units += choices[i].units()
	}
	if err := pace.whole(ctx, p.data.PromptTokens, units); err != nil {
		return err
	}
	return sendGeminiJSON(c, out, gc.response())
}

// response is the whole answer: per candidate its thought, its text and
// its function calls as parts.
func (gc *geminiCall) response() *geminiResponse {
	r := gc.shell(gc.usage(len(gc.choices)))
	for i := range gc.choices {
		ch := &gc.choices[i]
		var parts []geminiOutPart
		if len(ch.thinking) > 0 && !gc.p.thinkingOmitted {
			t := joinPieces(ch.thinking)
			parts = append(parts, geminiOutPart{Text: &t, Thought: true})
		}
		if len(ch.calls) == 0 || ch.text.len() > 0 {
			t := ch.content()
			parts = append(parts, geminiOutPart{Text: &t})
		}
		for _, call := range ch.calls {
			parts = append(parts, geminiOutPart{FunctionCall: geminiCallOf(&call)})
		}
		r.Candidates = append(r.Candidates, geminiCandidate{Content: geminiOutContent{Parts: parts, Role: "model"},
			FinishReason: ch.finish.gemini(), Index: i})
	}
	return r
}

// shell is a response with no candidates yet.
func (gc *geminiCall) shell(u geminiUsage) *geminiResponse {
	return &geminiResponse{UsageMetadata: u, ModelVersion: gc.p.model, ResponseID: gc.c.RequestID}
}

// usage counts the first done candidates whole: the answer's usage once
// they are all done, a stream's so far before.
func (gc *geminiCall) usage(done int) geminiUsage {
	prompt := gc.p.data.PromptTokens
	u := geminiUsage{PromptTokenCount: prompt, PromptTokensDetails: textTokens(prompt)}
	for i := range gc.choices[:done] {
		thoughts := len(gc.choices[i].thinking)
		u.ThoughtsTokenCount += thoughts
		u.CandidatesTokenCount += gc.choices[i].tokens - thoughts
	}
	u.TotalTokenCount = prompt + u.CandidatesTokenCount + u.ThoughtsTokenCount
	return u
}

// geminiCallOf is a planned call as a functionCall part. Arguments cut
// short by maxOutputTokens are not JSON; the API reports what parsed,
// which for a cut object is nothing.
func geminiCallOf(call *plannedCall) *geminiFunctionCall {
	args := json.RawMessage(call.args)
	if !json.Valid(args) {
		args = json.RawMessage(`{}`)
	}
	return &geminiFunctionCall{Name: call.name, Args: args}
}
