package simulate

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Chat completions (POST /v1/chat/completions).

type chatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []chatChoice `json:"choices"`
	Usage             chatUsage    `json:"usage"`
	ServiceTier       string       `json:"service_tier"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

type chatChoice struct {
	Index        int            `json:"index"`
	Message      chatOutMessage `json:"message"`
	Logprobs     *logprobs      `json:"logprobs"`
	FinishReason string         `json:"finish_reason"`
}

type chatOutMessage struct {
	Role        string        `json:"role"`
	Content     *string       `json:"content"`
	Refusal     *string       `json:"refusal"`
	ToolCalls   []toolCallOut `json:"tool_calls,omitempty"`
	Annotations []struct{}    `json:"annotations"`
}

type toolCallOut struct {
	Index    *int             `json:"index,omitempty"` // streams only
	ID       string           `json:"id,omitempty"`
	Type     string           `json:"type,omitempty"`
	Function toolCallFunction `json:"function"`
}

type toolCallFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type chatUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
		AudioTokens  int `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int `json:"reasoning_tokens"`
		AudioTokens              int `json:"audio_tokens"`
		AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

func newChatUsage(prompt int, choices []choice) chatUsage {
	u := chatUsage{PromptTokens: prompt}
	for i := range choices {
		u.CompletionTokens += choices[i].tokens
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

func (f finish) openAI() string {
	switch f {
	case finishLength:
		return "length"
	case finishToolCalls:
		return "tool_calls"
	case finishFiltered:
		return "content_filter"
	}
	return "stop"
}

// chatCalls recycles chatCall, the largest allocation of a chat request;
// nothing keeps one after serveChat returns.
var chatCalls = sync.Pool{New: func() any { return new(chatCall) }}

// release zeroes cc and pools it.
func (cc *chatCall) release() {
	*cc = chatCall{}
	chatCalls.Put(cc)
}

// chatCall is a validated chat request with its plan.
type chatCall struct {
	c         *Call
	req       *chatRequest
	p         *prompt
	choices   []choice
	id        string
	created   int64
	tier      string
	stream    bool
	usage     bool // stream_options.include_usage
	obfuscate bool
	logprobs  int    // -1: none; else top_logprobs
	tokenHead []byte // a token chunk up to the choice index (tokenTemplate)

	reqBuf    chatRequest
	promptBuf prompt
	oneChoice [1]choice
}

func serveChat(ctx context.Context, c *Call, out wire.Sink) error {
	// One pooled object holds the request, its prompt and a single choice.
	cc := chatCalls.Get().(*chatCall)
	defer cc.release()
	cc.c, cc.logprobs = c, -1
	req := &cc.reqBuf
	if !fastDecodeChat(c.Body, req) {
		*req = chatRequest{}
		if e := decodeOpenAI(c.Body, req); e != nil {
			return c.fail(out, openAI, e)
		}
	}
	if e := req.validate(); e != nil {
		return c.fail(out, openAI, e)
	}
	if !c.Config.allowed(req.Model) {
		return c.fail(out, openAI, openAIModelNotFound(req.Model))
	}
	p := &cc.promptBuf
	req.fillPrompt(p, c.Path)
	m := c.model(p.model)
	c.script(p, "openai")
	if e := c.bound(p, m, req.asked()); e != nil {
		return c.fail(out, openAI, e)
	}
	choices, err := p.plan(m, c.content, c.ids.toolCall, cc.oneChoice[:0])
	if err != nil {
		return c.fail(out, openAI, errSchema(err, "tools"))
	}
	c.report(p, choices)
	cc.req, cc.p, cc.choices, cc.id = req, p, choices, c.ids.chatCompletion()
	cc.created, cc.tier, cc.stream = c.Start.Unix(), serviceTier(req.ServiceTier), req.Stream != nil && *req.Stream
	if req.Logprobs != nil && *req.Logprobs {
		cc.logprobs = deref(req.TopLogprobs, 0)
	}
	if o := req.StreamOptions; o != nil {
		cc.usage = o.IncludeUsage != nil && *o.IncludeUsage
		cc.obfuscate = o.IncludeObfuscation == nil || *o.IncludeObfuscation
	} else {
		cc.obfuscate = true
	}
	pace := newPacer(c, m)
	if cc.stream {
		// The plan holds all the stream needs: the decoded messages need
		// not live as long as it does.
		req.Messages = nil
		return cc.streamOut(ctx, out, pace)
	}
	if err := pace.whole(ctx, p.data.PromptTokens, maxUnits(choices)); err != nil {
		return err
	}
	head := func(n int) wire.Event { return openAIHead(c, wire.NotStream, n) }
	if cc.plain() {
		return cc.sendPlain(out, head)
	}
	return sendJSON(out, head, cc.completion())
}

// asked is what the request asks of its answer's size.
func (r *chatRequest) asked() asked {
	a := asked{param: "max_tokens", stream: r.Stream != nil && *r.Stream, logprobs: -1}
	if r.MaxCompletionTokens != nil {
		a.param = "max_completion_tokens"
	}
	if r.Logprobs != nil && *r.Logprobs {
		a.logprobs = deref(r.TopLogprobs, 0)
	}
	return a
}

// plainCompletion is the template of the commonest answer — one choice of
// text, no logprobs — which load tests send by the thousand per second:
// filling it costs a tenth of encoding it.
var plainCompletion = sync.OnceValue(func() *eventTemplate {
	hole := holeString
	tpl, ok := newEventTemplate(&chatCompletion{ID: holeString, Object: "chat.completion", Created: holeInt, Model: holeString,
		Choices:     []chatChoice{{Message: chatOutMessage{Role: "assistant", Content: &hole, Annotations: []struct{}{}}, FinishReason: holeString}},
		Usage:       chatUsage{PromptTokens: holeInt, CompletionTokens: holeInt, TotalTokens: holeInt},
		ServiceTier: holeString, SystemFingerprint: holeString})
	if !ok {
		return nil
	}
	return &tpl
})

func (cc *chatCall) plain() bool {
	return len(cc.choices) == 1 && len(cc.choices[0].calls) == 0 && cc.logprobs < 0 && plainCompletion() != nil
}

func (cc *chatCall) sendPlain(out wire.Sink, head func(int) wire.Event) error {
	ch := &cc.choices[0]
	u := newChatUsage(cc.p.data.PromptTokens, cc.choices)
	buf := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(buf)
	*buf = plainCompletion().start(*buf).str(cc.id).int(int(cc.created)).str(cc.p.model).
		text(ch.text).str(ch.finish.openAI()).
		int(u.PromptTokens).int(u.CompletionTokens).int(u.TotalTokens).
		str(cc.tier).str(fingerprint(cc.p.model)).buf
	if err := sendHead(out, head(len(*buf))); err != nil {
		return err
	}
	if err := out.Send(wire.Event{Kind: wire.Chunk, Data: *buf}); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}

func (cc *chatCall) completion() *chatCompletion {
	resp := &chatCompletion{ID: cc.id, Object: "chat.completion", Created: cc.created, Model: cc.p.model,
		Choices: make([]chatChoice, len(cc.choices)), Usage: newChatUsage(cc.p.data.PromptTokens, cc.choices),
		ServiceTier: cc.tier, SystemFingerprint: fingerprint(cc.p.model)}
	for i := range cc.choices {
		ch := &cc.choices[i]
		msg := chatOutMessage{Role: "assistant", Annotations: []struct{}{}}
		if len(ch.calls) > 0 {
			for _, call := range ch.calls {
				msg.ToolCalls = append(msg.ToolCalls, toolCallOut{ID: call.id, Type: "function",
					Function: toolCallFunction{Name: call.name, Arguments: call.args}})
			}
		} else {
			text := ch.content()
			msg.Content = &text
		}
		resp.Choices[i] = chatChoice{Index: i, Message: msg, FinishReason: ch.finish.openAI(),
			Logprobs: cc.choiceLogprobs(i, ch.text.strings())}
	}
	return resp
}

func (cc *chatCall) choiceLogprobs(i int, pieces []string) *logprobs {
	if cc.logprobs < 0 {
		return nil
	}
	return newLogprobs(cc.c.Seed, i, 0, pieces, cc.logprobs)
}

// serviceTier is the tier a response reports: the one asked for, with
// "auto" served as "default".
func serviceTier(asked *string) string {
	if asked == nil || *asked == "auto" || *asked == "" {
		return "default"
	}
	return *asked
}

func maxUnits(choices []choice) int {
	n := 0
	for i := range choices {
		n = max(n, choices[i].units())
	}
	return n
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// prompt reduces the request to what generation needs, counting prompt
// tokens as 3 per message plus its content and name, plus 3 for the
// reply's priming, plus the tool definitions — the method of OpenAI's
// cookbook with this package's token estimate.
func (r *chatRequest) fillPrompt(p *prompt, endpoint string) {
	*p = prompt{model: r.Model, n: deref(r.N, 1), choice: toolChoice{mode: toolsAuto}}
	p.maxTokens = deref(r.MaxCompletionTokens, deref(r.MaxTokens, -1))
	p.stop, _ = parseStop(r.Stop, 4)
	p.schema = r.ResponseFormat.outputSchema()
	if len(r.ToolChoice) > 0 && string(r.ToolChoice) != "null" {
		p.choice, _ = parseToolChoice(r.ToolChoice)
	}
	tokens := 3
	for _, t := range r.Tools {
		if t.Function == nil || t.Function.Name == nil {
			continue
		}
		p.tools = append(p.tools, toolDef{name: *t.Function.Name, schema: t.Function.Parameters})
		tokens += toolTokens(*t.Function.Name, t.Function.Description, t.Function.Parameters)
	}
	msgs := r.Messages
	for _, m := range msgs {
		text := m.Content.text
		tokens += 3 + CountTokens(text) + m.extra + len(m.ToolCalls)/4
		if m.Name != nil {
			tokens += 1 + CountTokens(*m.Name)
		}
		switch m.Role {
		case "user":
			p.data.LastUserMessage = text
		case "system", "developer":
			p.data.System = joinNonEmpty(p.data.System, text)
		}
	}
	last := msgs[len(msgs)-1].Role
	p.afterToolResult = last == "tool" || last == "function"
	p.data.Model, p.data.Provider, p.data.Endpoint = p.model, "openai", endpoint
	p.data.Messages, p.data.PromptTokens = len(msgs), tokens
}

// toolTokens is what a tool definition adds to the prompt.
func toolTokens(name string, desc *string, params json.RawMessage) int {
	n := 8 + CountTokens(name) + len(params)/4
	if desc != nil {
		n += CountTokens(*desc)
	}
	return n
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}
