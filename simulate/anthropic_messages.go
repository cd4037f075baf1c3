package simulate

import (
	"context"
	"encoding/json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// message is a Messages API response.
type message struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Role         string         `json:"role"`
	Model        string         `json:"model"`
	Content      []contentBlock `json:"content"`
	StopReason   *string        `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	StopDetails  *struct{}      `json:"stop_details"` // set only for refusals
	Container    *struct{}      `json:"container"`    // set only when a container tool ran
	Diagnostics  *struct{}      `json:"diagnostics"`  // set only when asked for
	Usage        anthropicUsage `json:"usage"`
}

// contentBlock is a text, thinking or tool_use block; omitempty keeps each
// to its own fields, and pointers keep empty strings where a block starts.
type contentBlock struct {
	Type      string          `json:"type"`
	Thinking  *string         `json:"thinking,omitempty"`
	Signature *string         `json:"signature,omitempty"`
	Text      *string         `json:"text,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
}

type anthropicUsage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	CacheCreation            struct {
		Ephemeral5mInputTokens int `json:"ephemeral_5m_input_tokens"`
		Ephemeral1hInputTokens int `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
	OutputTokens        int                 `json:"output_tokens"`
	OutputTokensDetails outputTokensDetails `json:"output_tokens_details"`
	ServerToolUse       serverToolUse       `json:"server_tool_use"`
	ServiceTier         string              `json:"service_tier"`
	InferenceGeo        string              `json:"inference_geo"`
	Speed               string              `json:"speed"`
}

type outputTokensDetails struct {
	ThinkingTokens int `json:"thinking_tokens"`
}

type serverToolUse struct {
	WebFetchRequests  int `json:"web_fetch_requests"`
	WebSearchRequests int `json:"web_search_requests"`
}

func (f finish) anthropic() string {
	switch f {
	case finishLength:
		return "max_tokens"
	case finishToolCalls:
		return "tool_use"
	case finishStopSequence:
		return "stop_sequence"
	case finishFiltered:
		return "refusal"
	}
	return "end_turn"
}

// messagesCall is a validated Messages request with its plan.
type messagesCall struct {
	c         *Call
	p         *prompt
	ch        *choice
	id        string
	signature string
}

func serveMessages(ctx context.Context, c *Call, out wire.Sink) error {
	var req messagesRequest
	if e := decodeAnthropic(c.Body, &req); e != nil {
		return c.fail(out, anthropic, e)
	}
	if e := req.validate(true); e != nil {
		return c.fail(out, anthropic, e)
	}
	if !c.Config.allowed(*req.Model) {
		return c.fail(out, anthropic, anthropicModelNotFound(*req.Model))
	}
	p := req.prompt(c.Path)
	m := c.model(p.model)
	c.script(p, "anthropic")
	if e := c.bound(p, m, asked{stream: req.Stream != nil && *req.Stream, logprobs: -1}); e != nil {
		return c.fail(out, anthropic, e)
	}
	choices, err := p.plan(m, c.content, c.ids.toolUse, nil)
	if err != nil {
		return c.fail(out, anthropic, badRequest("", "", "tools: %v", err))
	}
	c.report(p, choices)
	mc := &messagesCall{c: c, p: p, ch: &choices[0], id: c.ids.message()}
	if len(mc.ch.thinking) > 0 {
		mc.signature = c.ids.signature()
	}
	pace := newPacer(c, m)
	if req.Stream != nil && *req.Stream {
		return mc.streamOut(ctx, out, pace)
	}
	if err := pace.whole(ctx, p.data.PromptTokens, mc.ch.units()); err != nil {
		return err
	}
	return sendJSON(out, func(n int) wire.Event { return anthropicHead(c, wire.NotStream, n) }, mc.message(true))
}

// message is the response; final says whether it is the finished message
// or the empty one message_start carries.
func (mc *messagesCall) message(final bool) *message {
	m := startMessage(mc.id, mc.p.model, mc.usage(1))
	if !final {
		return m
	}
	m.Content = mc.blocks()
	reason := mc.ch.finish.anthropic()
	m.StopReason = &reason
	if mc.ch.stopSeq != "" {
		m.StopSequence = &mc.ch.stopSeq
	}
	m.Usage = mc.usage(mc.ch.tokens)
	return m
}

// usage is the message's usage with output tokens so far; thinking counts
// only once the answer is complete.
func (mc *messagesCall) usage(output int) anthropicUsage {
	thinking := 0
	if output == mc.ch.tokens {
		thinking = len(mc.ch.thinking)
	}
	return newAnthropicUsage(mc.p.data.PromptTokens, output, thinking)
}

func newAnthropicUsage(input, output, thinking int) anthropicUsage {
	u := anthropicUsage{InputTokens: input, OutputTokens: output, ServiceTier: "standard",
		InferenceGeo: "global", Speed: "standard"}
	u.OutputTokensDetails.ThinkingTokens = thinking
	return u
}

// startMessage is the message as message_start shows it: no content yet.
func startMessage(id, model string, u anthropicUsage) *message {
	return &message{ID: id, Type: "message", Role: "assistant", Model: model, Content: []contentBlock{}, Usage: u}
}

// blocks are the finished content blocks: thinking, then text or tool use.
func (mc *messagesCall) blocks() []contentBlock {
	var out []contentBlock
	if len(mc.ch.thinking) > 0 {
		t := ""
		if !mc.p.thinkingOmitted {
			t = joinPieces(mc.ch.thinking)
		}
		out = append(out, contentBlock{Type: "thinking", Thinking: &t, Signature: &mc.signature})
	}
	if len(mc.ch.calls) == 0 {
		t := mc.ch.content()
		return append(out, contentBlock{Type: "text", Text: &t})
	}
	for _, call := range mc.ch.calls {
		input := json.RawMessage(call.args)
		if !json.Valid(input) {
			// max_tokens cut the arguments: the API reports what parsed,
			// which for a cut object is nothing.
			input = json.RawMessage(`{}`)
		}
		out = append(out, contentBlock{Type: "tool_use", ID: call.id, Name: call.name, Input: input})
	}
	return out
}

func joinPieces(p []string) string {
	n := 0
	for _, s := range p {
		n += len(s)
	}
	b := make([]byte, 0, n)
	for _, s := range p {
		b = append(b, s...)
	}
	return string(b)
}
