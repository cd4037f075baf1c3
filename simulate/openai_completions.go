package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Legacy completions (POST /v1/completions).

type completionRequest struct {
	Model            *string         `json:"model"`
	Prompt           json.RawMessage `json:"prompt"`
	MaxTokens        *int            `json:"max_tokens"`
	N                *int            `json:"n"`
	Stop             json.RawMessage `json:"stop"`
	Stream           *bool           `json:"stream"`
	StreamOptions    *streamOptions  `json:"stream_options"`
	Echo             *bool           `json:"echo"`
	Suffix           *string         `json:"suffix"`
	Logprobs         *int            `json:"logprobs"`
	BestOf           *int            `json:"best_of"`
	Temperature      *float64        `json:"temperature"`
	TopP             *float64        `json:"top_p"`
	PresencePenalty  *float64        `json:"presence_penalty"`
	FrequencyPenalty *float64        `json:"frequency_penalty"`
	Seed             *int64          `json:"seed"`
	User             *string         `json:"user"`
}

const (
	// legacyDefaultMaxTokens is the API's default for this endpoint.
	legacyDefaultMaxTokens = 16
	// maxLegacyChoices bounds prompts × n, the memory one request can ask
	// for.
	maxLegacyChoices = 2048
)

type textCompletion struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []completionChoice `json:"choices"`
	Usage   any                `json:"usage,omitempty"`
}

type completionChoice struct {
	Text         string          `json:"text"`
	Index        int             `json:"index"`
	Logprobs     *legacyLogprobs `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

type legacyLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []float64            `json:"token_logprobs"`
	TopLogprobs   []map[string]float64 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

type usageCounts struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (r *completionRequest) validate() *wire.APIError {
	if r.Model == nil || *r.Model == "" {
		return badRequest("", "", "you must provide a model parameter")
	}
	if len(r.Prompt) == 0 || string(r.Prompt) == "null" {
		return missing("prompt")
	}
	prompts, ok := legacyPrompts(r.Prompt)
	if !ok {
		return badRequest("prompt", "invalid_type", "Invalid type for 'prompt': expected one of a string, array of strings, array of integers or array of arrays of integers, but got %s instead.", article(rawKind(r.Prompt)))
	}
	if n := len(prompts) * deref(r.N, 1); n > maxLegacyChoices {
		return badRequest("n", "invalid_value", "Too many completions requested: %d prompts with n=%d ask for %d choices; the limit is %d.", len(prompts), deref(r.N, 1), n, maxLegacyChoices)
	}
	for _, e := range []*wire.APIError{
		intAtLeast("max_tokens", r.MaxTokens, 0),
		intBetween("n", r.N, 1, 128),
		intBetween("logprobs", r.Logprobs, 0, 5),
		intBetween("best_of", r.BestOf, 0, 20),
		numBetween("temperature", r.Temperature, 0, 2),
		numBetween("top_p", r.TopP, 0, 1),
		numBetween("presence_penalty", r.PresencePenalty, -2, 2),
		numBetween("frequency_penalty", r.FrequencyPenalty, -2, 2),
		validateStop(r.Stop, 4),
	} {
		if e != nil {
			return e
		}
	}
	if r.StreamOptions != nil && (r.Stream == nil || !*r.Stream) {
		return badRequest("stream_options", "invalid_value", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	return nil
}

// legacyPrompts reads the prompt's accepted shapes. Token arrays stand for
// text the simulator cannot decode; each token id becomes a word.
func legacyPrompts(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, true
	}
	var ids []int
	if json.Unmarshal(raw, &ids) == nil {
		return []string{tokenIDText(ids)}, true
	}
	var idLists [][]int
	if json.Unmarshal(raw, &idLists) == nil {
		out := make([]string, len(idLists))
		for i, l := range idLists {
			out[i] = tokenIDText(l)
		}
		return out, true
	}
	return nil, false
}

func tokenIDText(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "t%d", id)
	}
	return b.String()
}

func serveCompletions(ctx context.Context, c *Call, out wire.Sink) error {
	var req completionRequest
	if e := decodeOpenAI(c.Body, &req); e != nil {
		return c.fail(out, openAI, e)
	}
	if e := req.validate(); e != nil {
		return c.fail(out, openAI, e)
	}
	if !c.Config.allowed(*req.Model) {
		return c.fail(out, openAI, openAIModelNotFound(*req.Model))
	}
	prompts, _ := legacyPrompts(req.Prompt)
	m := c.model(*req.Model)
	lc := &legacyCall{c: c, req: &req, m: m, id: c.ids.completion(), created: c.Start.Unix(), n: deref(req.N, 1)}
	if err := lc.planAll(prompts); err != nil {
		if ae, ok := err.(*wire.APIError); ok {
			return c.fail(out, openAI, ae) // over a limit
		}
		return c.fail(out, openAI, errSchema(err, "prompt"))
	}
	u := lc.usage()
	c.Request.Usage = Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
	pace := newPacer(c, m)
	if req.Stream != nil && *req.Stream {
		return lc.streamOut(ctx, out, pace)
	}
	if err := pace.whole(ctx, lc.promptTokens, maxUnits(lc.choices)); err != nil {
		return err
	}
	resp := lc.base()
	resp.Usage = lc.usage()
	for i := range lc.choices {
		reason := lc.choices[i].finish.openAI()
		text := lc.echo[i] + lc.choices[i].content()
		resp.Choices = append(resp.Choices, completionChoice{Text: text, Index: i, FinishReason: &reason,
			Logprobs: lc.logprobs(i, 0, lc.choices[i].text.strings(), len(lc.echo[i]))})
	}
	return sendJSON(out, func(n int) wire.Event { return openAIHead(c, wire.NotStream, n) }, resp)
}

type legacyCall struct {
	c            *Call
	req          *completionRequest
	m            *Model
	id           string
	created      int64
	n            int
	choices      []choice
	echo         []string // per choice: the prompt when echo is set
	promptTokens int
}

// planAll plans n answers per prompt; choice index prompt*n+j, as the API
// numbers them.
func (lc *legacyCall) planAll(prompts []string) error {
	stop, _ := parseStop(lc.req.Stop, 4)
	a := asked{param: "max_tokens", stream: deref(lc.req.Stream, false), logprobs: deref(lc.req.Logprobs, -1), prompts: len(prompts)}
	for _, text := range prompts {
		lc.promptTokens += CountTokens(text)
		p := &prompt{model: *lc.req.Model, n: lc.n, stop: stop, choice: toolChoice{mode: toolsNone},
			maxTokens: deref(lc.req.MaxTokens, legacyDefaultMaxTokens)}
		p.data = TemplateData{Model: p.model, Provider: "openai", Endpoint: lc.c.Path, LastUserMessage: text,
			Messages: 1, PromptTokens: CountTokens(text)}
		lc.c.script(p, "openai")
		if a.echo = 0; deref(lc.req.Echo, false) {
			a.echo = len(text)
		}
		if e := lc.c.bound(p, lc.m, a); e != nil {
			return e
		}
		choices, err := p.plan(lc.m, lc.c.content, lc.c.ids.toolCall, nil)
		if err != nil {
			return err
		}
		for range choices {
			echo := ""
			if lc.req.Echo != nil && *lc.req.Echo {
				echo = text
			}
			lc.echo = append(lc.echo, echo)
		}
		lc.choices = append(lc.choices, choices...)
	}
	return nil
}

func (lc *legacyCall) base() *textCompletion {
	return &textCompletion{ID: lc.id, Object: "text_completion", Created: lc.created, Model: *lc.req.Model,
		Choices: []completionChoice{}}
}

func (lc *legacyCall) usage() usageCounts {
	u := usageCounts{PromptTokens: lc.promptTokens}
	for i := range lc.choices {
		u.CompletionTokens += lc.choices[i].tokens
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// logprobs renders the legacy logprobs object for choice i's pieces from
// position first on, when the request asked for it; offset is where they
// start in the choice's text (after an echo).
func (lc *legacyCall) logprobs(i, first int, pieces []string, offset int) *legacyLogprobs {
	if lc.req.Logprobs == nil {
		return nil
	}
	lp := newLogprobs(lc.c.Seed, i, first, pieces, *lc.req.Logprobs)
	out := &legacyLogprobs{Tokens: []string{}, TokenLogprobs: []float64{}, TopLogprobs: []map[string]float64{}, TextOffset: []int{}}
	for _, t := range lp.Content {
		out.Tokens = append(out.Tokens, t.Token)
		out.TokenLogprobs = append(out.TokenLogprobs, t.Logprob)
		top := make(map[string]float64, len(t.TopLogprobs))
		for _, alt := range t.TopLogprobs {
			top[alt.Token] = alt.Logprob
		}
		out.TopLogprobs = append(out.TopLogprobs, top)
		out.TextOffset = append(out.TextOffset, offset)
		offset += len(t.Token)
	}
	return out
}

func (lc *legacyCall) streamOut(ctx context.Context, out wire.Sink, pace *pacer) error {
	if err := pace.first(ctx, lc.promptTokens); err != nil {
		return err
	}
	if err := sendHead(out, openAIHead(lc.c, wire.OpenAIChat, 0)); err != nil {
		return err
	}
	includeUsage := lc.req.StreamOptions != nil && deref(lc.req.StreamOptions.IncludeUsage, false)
	send := func(ch completionChoice) error {
		resp := lc.base()
		resp.Choices = append(resp.Choices, ch)
		if includeUsage {
			resp.Usage = jsonNull
		}
		return sendSSE(out, "", resp)
	}
	for i, e := range lc.echo {
		if e != "" {
			if err := send(completionChoice{Text: e, Index: i}); err != nil {
				return err
			}
		}
	}
	for step := 0; step < maxUnits(lc.choices); step++ {
		if step > 0 {
			if err := pace.gap(ctx); err != nil {
				return err
			}
		}
		for i := range lc.choices {
			if text := lc.choices[i].text; step < text.len() {
				off := len(lc.echo[i]) + text.slice(0, step).bytes()
				if err := send(completionChoice{Text: text.at(step), Index: i, Logprobs: lc.logprobs(i, step, text.slice(step, step+1).strings(), off)}); err != nil {
					return err
				}
			}
		}
	}
	for i := range lc.choices {
		reason := lc.choices[i].finish.openAI()
		if err := send(completionChoice{Index: i, FinishReason: &reason}); err != nil {
			return err
		}
	}
	if includeUsage {
		resp := lc.base()
		resp.Usage = lc.usage()
		if err := sendSSE(out, "", resp); err != nil {
			return err
		}
	}
	if err := out.Send(wire.DoneEvent()); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}
