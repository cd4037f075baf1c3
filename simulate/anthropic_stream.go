package simulate

import (
	"context"
	"encoding/json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// anthropicEvent carries every field of the Messages stream events;
// omitempty leaves each event type with its own.
type anthropicEvent struct {
	Type         string        `json:"type"`
	Message      *message      `json:"message,omitempty"`
	Index        *int          `json:"index,omitempty"`
	ContentBlock *contentBlock `json:"content_block,omitempty"`
	Delta        any           `json:"delta,omitempty"`
	Usage        *deltaUsage   `json:"usage,omitempty"`
}

type blockDelta struct {
	Type        string  `json:"type"`
	Text        *string `json:"text,omitempty"`
	Thinking    *string `json:"thinking,omitempty"`
	Signature   *string `json:"signature,omitempty"`
	PartialJSON *string `json:"partial_json,omitempty"`
}

type messageDelta struct {
	StopReason   string    `json:"stop_reason"`
	StopSequence *string   `json:"stop_sequence"`
	StopDetails  *struct{} `json:"stop_details"`
	Container    *struct{} `json:"container"`
}

type deltaUsage struct {
	InputTokens              int                 `json:"input_tokens"`
	CacheCreationInputTokens int                 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int                 `json:"cache_read_input_tokens"`
	OutputTokens             int                 `json:"output_tokens"`
	OutputTokensDetails      outputTokensDetails `json:"output_tokens_details"`
	ServerToolUse            serverToolUse       `json:"server_tool_use"`
}

func (mc *messagesCall) send(out wire.Sink, ev anthropicEvent) error {
	return sendSSE(out, ev.Type, &ev)
}

// streamOut sends the documented sequence: message_start, then per block
// content_block_start, deltas and content_block_stop (with a ping after
// the first start), then message_delta with the stop reason and usage,
// and message_stop.
func (mc *messagesCall) streamOut(ctx context.Context, out wire.Sink, pace *pacer) error {
	if err := sendHead(out, anthropicHead(mc.c, wire.Anthropic, 0)); err != nil {
		return err
	}
	if err := mc.sendStart(out); err != nil {
		return err
	}
	if err := pace.first(ctx, mc.p.data.PromptTokens); err != nil {
		return err
	}
	bs := &blockStream{mc: mc, out: out, ctx: ctx, pace: pace}
	if len(mc.ch.thinking) > 0 {
		empty := ""
		bs.hidden = mc.p.thinkingOmitted
		if err := bs.block(contentBlock{Type: "thinking", Thinking: &empty, Signature: &empty}, piecesOf(mc.ch.thinking),
			func(s *string) blockDelta { return blockDelta{Type: "thinking_delta", Thinking: s} }); err != nil {
			return err
		}
	}
	if err := mc.streamAnswer(bs); err != nil {
		return err
	}
	reason := mc.ch.finish.anthropic()
	md := messageDelta{StopReason: reason}
	if mc.ch.stopSeq != "" {
		md.StopSequence = &mc.ch.stopSeq
	}
	u := &deltaUsage{InputTokens: mc.p.data.PromptTokens, OutputTokens: mc.ch.tokens,
		OutputTokensDetails: outputTokensDetails{ThinkingTokens: len(mc.ch.thinking)}}
	if err := mc.send(out, anthropicEvent{Type: "message_delta", Delta: md, Usage: u}); err != nil {
		return err
	}
	if err := mc.send(out, anthropicEvent{Type: "message_stop"}); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}

func (mc *messagesCall) streamAnswer(bs *blockStream) error {
	if len(mc.ch.calls) == 0 {
		empty := ""
		return bs.block(contentBlock{Type: "text", Text: &empty}, mc.ch.text,
			func(s *string) blockDelta { return blockDelta{Type: "text_delta", Text: s} })
	}
	for _, call := range mc.ch.calls {
		start := contentBlock{Type: "tool_use", ID: call.id, Name: call.name, Input: json.RawMessage(`{}`)}
		if err := bs.block(start, piecesOf(call.pieces),
			func(s *string) blockDelta { return blockDelta{Type: "input_json_delta", PartialJSON: s} }); err != nil {
			return err
		}
	}
	return nil
}

// blockStream sends content blocks one after another, numbering them and
// pacing their pieces.
type blockStream struct {
	mc     *messagesCall
	out    wire.Sink
	ctx    context.Context
	pace   *pacer
	index  int
	pieces int // pieces sent so far, across blocks
	// hidden paces the next block's pieces without sending them: omitted
	// thinking takes its time, as it does at the provider.
	hidden bool
}

func (bs *blockStream) block(start contentBlock, pieces textPieces, delta func(*string) blockDelta) error {
	idx := bs.index
	bs.index++
	if err := bs.sendStart(idx, &start); err != nil {
		return err
	}
	if idx == 0 {
		if err := bs.out.Send(wire.Event{Kind: wire.SSE, Name: "ping", Data: pingEvent()}); err != nil {
			return err
		}
	}
	tpl := blockDeltaTemplate(delta)
	for k := range pieces.len() {
		p := pieces.at(k)
		if bs.pieces > 0 {
			if err := bs.pace.gap(bs.ctx); err != nil {
				return err
			}
		}
		bs.pieces++
		if bs.hidden {
			continue
		}
		if err := bs.delta(tpl, idx, p, delta); err != nil {
			return err
		}
	}
	bs.hidden = false
	if start.Type == "thinking" {
		sig := bs.mc.signature
		if err := bs.mc.send(bs.out, anthropicEvent{Type: "content_block_delta", Index: &idx,
			Delta: blockDelta{Type: "signature_delta", Signature: &sig}}); err != nil {
			return err
		}
	}
	return bs.mc.send(bs.out, anthropicEvent{Type: "content_block_stop", Index: &idx})
}

// encodedDelta sends a delta encoded on its own; it is apart from delta
// because taking the piece's address would move it to the heap on every
// call, template or not.
func (bs *blockStream) encodedDelta(idx int, piece string, delta func(*string) blockDelta) error {
	return bs.mc.send(bs.out, anthropicEvent{Type: "content_block_delta", Index: &idx, Delta: delta(&piece)})
}

// delta sends one content_block_delta, from the template when there is one.
func (bs *blockStream) delta(tpl *eventTemplate, idx int, piece string, delta func(*string) blockDelta) error {
	if tpl == nil {
		return bs.encodedDelta(idx, piece, delta)
	}
	return sendFilled(bs.out, "content_block_delta", func(b []byte) []byte { return tpl.start(b).int(idx).str(piece).buf })
}

// sendStart sends a block's content_block_start, from its template when
// it has one.
func (bs *blockStream) sendStart(idx int, start *contentBlock) error {
	tpl := blockStartTemplate(start)
	if tpl == nil {
		return bs.mc.send(bs.out, anthropicEvent{Type: "content_block_start", Index: &idx, ContentBlock: start})
	}
	return sendFilled(bs.out, "content_block_start", func(b []byte) []byte { return tpl.start(b).int(idx).buf })
}

// sendStart sends message_start from its template.
func (mc *messagesCall) sendStart(out wire.Sink) error {
	tpl := messageStartTemplate()
	if tpl == nil {
		return mc.send(out, anthropicEvent{Type: "message_start", Message: mc.message(false)})
	}
	u := mc.usage(1)
	return sendFilled(out, "message_start", func(b []byte) []byte {
		return tpl.start(b).str(mc.id).str(mc.p.model).int(u.InputTokens).int(u.OutputTokens).int(u.OutputTokensDetails.ThinkingTokens).buf
	})
}
