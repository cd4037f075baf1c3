package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	"github.com/llm-simulator/llm-simulator/wire"
)

// chatChunk is one chat.completion.chunk event.
type chatChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	ServiceTier       string        `json:"service_tier"`
	SystemFingerprint string        `json:"system_fingerprint"`
	Choices           []chunkChoice `json:"choices"`
	Usage             any           `json:"usage,omitempty"`
	Obfuscation       string        `json:"obfuscation,omitempty"`
}

type chunkChoice struct {
	Index        int       `json:"index"`
	Delta        chatDelta `json:"delta"`
	Logprobs     *logprobs `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

// chatDelta holds raw JSON where the API distinguishes absent from null:
// the first delta carries "refusal":null, a tool call's "content":null.
type chatDelta struct {
	Role      string          `json:"role,omitempty"`
	Content   json.RawMessage `json:"content,omitempty"`
	Refusal   json.RawMessage `json:"refusal,omitempty"`
	ToolCalls []toolCallOut   `json:"tool_calls,omitempty"`
}

var (
	jsonNull        = json.RawMessage("null")
	jsonEmptyString = json.RawMessage(`""`)
)

// streamOut sends the plan as chunks: each choice's opening delta at the
// first token, then one unit per choice per step (choices interleave as
// the API's do), then each choice's finish, the usage chunk when asked
// for, and [DONE].
func (cc *chatCall) streamOut(ctx context.Context, out wire.Sink, pace *pacer) error {
	if err := pace.first(ctx, cc.p.data.PromptTokens); err != nil {
		return err
	}
	if err := sendHead(out, openAIHead(cc.c, wire.OpenAIChat, 0)); err != nil {
		return err
	}
	for i := range cc.choices {
		if err := cc.sendOpening(out, i); err != nil {
			return err
		}
	}
	tokens := cc.tokenTemplate()
	for step := 0; step < maxUnits(cc.choices); step++ {
		if step > 0 {
			if err := pace.gap(ctx); err != nil {
				return err
			}
		}
		for i := range cc.choices {
			if err := cc.sendUnit(out, tokens, i, step); err != nil {
				return err
			}
		}
	}
	for i := range cc.choices {
		reason := cc.choices[i].finish.openAI()
		if err := cc.send(out, chunkChoice{Index: i, FinishReason: &reason}); err != nil {
			return err
		}
	}
	if cc.usage {
		chunk := cc.chunk()
		chunk.Choices = []chunkChoice{}
		chunk.Usage = newChatUsage(cc.p.data.PromptTokens, cc.choices)
		if err := sendSSE(out, "", chunk); err != nil {
			return err
		}
	}
	if err := out.Send(wire.DoneEvent()); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}

// chunk is a chunk with this call's fields and, when on, its padding.
func (cc *chatCall) chunk() chatChunk {
	ch := cc.chunkBase()
	if cc.obfuscate {
		ch.Obfuscation = string(appendPadding(nil, cc.c.ids.r))
	}
	return ch
}

// chunkBase is a chunk without padding: drawing none keeps the random
// stream the same whether or not a template is used.
func (cc *chatCall) chunkBase() chatChunk {
	return newChatChunk(cc.id, cc.created, cc.p.model, cc.tier, fingerprint(cc.p.model), cc.usage)
}

// newChatChunk is a chunk with its call's fields and no choice yet; the
// templates are made from it too, so they cannot drift from it.
func newChatChunk(id string, created int64, model, tier, fp string, usage bool) chatChunk {
	ch := chatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
		ServiceTier: tier, SystemFingerprint: fp}
	if usage {
		ch.Usage = jsonNull
	}
	return ch
}

func (cc *chatCall) send(out wire.Sink, c chunkChoice) error {
	chunk := cc.chunk()
	chunk.Choices = []chunkChoice{c}
	return sendSSE(out, "", chunk)
}

// opening is a choice's first delta: the role, with empty content for
// text, or the tool call's id and name with empty arguments.
func (cc *chatCall) opening(i int) chunkChoice {
	ch := &cc.choices[i]
	d := chatDelta{Role: "assistant", Content: jsonEmptyString, Refusal: jsonNull}
	if len(ch.calls) > 0 {
		call := ch.calls[0]
		d.Content = jsonNull
		d.ToolCalls = []toolCallOut{{Index: new(int), ID: call.id, Type: "function",
			Function: toolCallFunction{Name: call.name}}}
	}
	return chunkChoice{Index: i, Delta: d}
}

// tokenTemplate is the chunk of one text token; its holes for the call's
// fields are filled once into cc.tokenHead, the rest per token. Without a
// template (logprobs asked for) every chunk is encoded.
func (cc *chatCall) tokenTemplate() *eventTemplate {
	if cc.logprobs >= 0 {
		return nil
	}
	tpl := chunkTemplates[b2i(cc.usage)][b2i(cc.obfuscate)].token()
	if tpl != nil {
		cc.tokenHead = bytes.Clone(cc.fillChunk(tpl.start(nil)).buf)
	}
	return tpl
}

// sendOpening sends choice i's opening delta, from a template when it is
// text.
func (cc *chatCall) sendOpening(out wire.Sink, i int) error {
	tpl := chunkTemplates[b2i(cc.usage)][b2i(cc.obfuscate)].opening()
	if len(cc.choices[i].calls) > 0 || tpl == nil {
		return cc.send(out, cc.opening(i))
	}
	return sendFilled(out, "", func(b []byte) []byte {
		f := cc.fillChunk(tpl.start(b)).int(i)
		if cc.obfuscate {
			f = f.padding(cc.c.ids.r)
		}
		return f.buf
	})
}

// chunkHeadHoles is how many holes fillChunk fills.
const chunkHeadHoles = 5

// fillChunk fills the holes every chunk template opens with.
func (cc *chatCall) fillChunk(f templateFiller) templateFiller {
	return f.str(cc.id).int(int(cc.created)).str(cc.p.model).str(cc.tier).str(fingerprint(cc.p.model))
}

// chunkTemplates are the templates of the chunks every text stream sends,
// by include_usage and obfuscation, built once: encoding them per stream
// costs CPU and, as the JSON encoder runs on a 9 KiB frame, doubles the
// stack of every goroutine that waits out a stream (BenchmarkOpenStreams).
var chunkTemplates = [2][2]chunkTemplateSet{
	{newChunkTemplateSet(false, false), newChunkTemplateSet(false, true)},
	{newChunkTemplateSet(true, false), newChunkTemplateSet(true, true)},
}

// chunkTemplateSet holds a stream's chunk templates: holes for the id,
// created, model, service tier and fingerprint, then the choice index,
// then the token (token only), then the padding when obfuscation is on.
type chunkTemplateSet struct {
	opening, token func() *eventTemplate
}

func newChunkTemplateSet(usage, obfuscate bool) chunkTemplateSet {
	build := func(delta chatDelta) func() *eventTemplate {
		return sync.OnceValue(func() *eventTemplate {
			chunk := newChatChunk(holeString, holeInt, holeString, holeString, holeString, usage)
			chunk.Choices = []chunkChoice{{Index: holeInt, Delta: delta}}
			if obfuscate {
				chunk.Obfuscation = holeString
			}
			return templateOf(&chunk)
		})
	}
	return chunkTemplateSet{
		opening: build(chatDelta{Role: "assistant", Content: jsonEmptyString, Refusal: jsonNull}),
		token:   build(chatDelta{Content: holeStringJSON}),
	}
}

// sendUnit sends choice i's unit number step, if it has one.
func (cc *chatCall) sendUnit(out wire.Sink, tpl *eventTemplate, i, step int) error {
	ch := &cc.choices[i]
	if step < ch.text.len() && tpl != nil {
		// Built in a pooled buffer: a buffer kept per call would stay
		// with every open stream (BenchmarkOpenStreams).
		return sendFilled(out, "", func(b []byte) []byte {
			f := tpl.resume(append(b[:0], cc.tokenHead...), chunkHeadHoles).int(i).str(ch.text.at(step))
			if cc.obfuscate {
				f = f.padding(cc.c.ids.r)
			}
			return f.buf
		})
	}
	c, ok := cc.unit(i, step)
	if !ok {
		return nil
	}
	return cc.send(out, c)
}

// unit is the chunk carrying choice i's unit number step, if it has one.
func (cc *chatCall) unit(i, step int) (chunkChoice, bool) {
	ch := &cc.choices[i]
	if step < ch.text.len() {
		c := chunkChoice{Index: i, Delta: chatDelta{Content: appendJSONString(nil, ch.text.at(step))}}
		if cc.logprobs >= 0 {
			c.Logprobs = newLogprobs(cc.c.Seed, i, step, ch.text.slice(step, step+1).strings(), cc.logprobs)
		}
		return c, true
	}
	step -= ch.text.len()
	for _, call := range ch.calls {
		if step < len(call.pieces) {
			d := chatDelta{ToolCalls: []toolCallOut{{Index: new(int),
				Function: toolCallFunction{Arguments: call.pieces[step]}}}}
			return chunkChoice{Index: i, Delta: d}, true
		}
		step -= len(call.pieces)
	}
	return chunkChoice{}, false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
