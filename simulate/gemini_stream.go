package simulate

import (
	"context"

	"github.com/llm-simulator/llm-simulator/wire"
)

// streamGenerateContent sends the answer as a run of whole
// GenerateContentResponses, each with the next piece of a candidate: a
// thought or text token, or a function call whole (Gemini does not stream
// arguments; the call is sent once its pieces' time has passed). Every
// response carries the usage so far, modelVersion and responseId. The last
// one holds each candidate's final piece with its finishReason and the
// whole usage; nothing follows it, no [DONE].
//
// With alt=sse each response is a data-only event; without it, Google
// streams one JSON array, a response per element, which is what a client
// that does not ask for SSE reads.

// geminiEmitter sends a stream's responses in one of the two framings.
type geminiEmitter struct {
	out   wire.Sink
	sse   bool
	first bool
}

func (e *geminiEmitter) head(c *Call) error {
	if e.sse {
		return sendHead(e.out, geminiHead(c, wire.Gemini, 0))
	}
	ev := geminiHead(c, wire.NotStream, 0)
	delete(ev.Header, "Content-Length") // the array's length is not known yet
	return sendHead(e.out, ev)
}

func (e *geminiEmitter) send(r *geminiResponse) error {
	if e.sse {
		return sendSSE(e.out, "", r)
	}
	enc := encodeJSON(r)
	defer enc.release()
	sep := "\n,\r\n"
	if !e.first {
		sep, e.first = "[", true
	}
	data := append([]byte(sep), enc.bytes()...)
	return e.out.Send(wire.Event{Kind: wire.Chunk, Data: data})
}

func (e *geminiEmitter) end() error {
	if !e.sse {
		closing := "]"
		if !e.first {
			closing = "[]"
		}
		if err := e.out.Send(wire.Event{Kind: wire.Chunk, Data: []byte(closing)}); err != nil {
			return err
		}
	}
	return e.out.Send(wire.Event{Kind: wire.End})
}

// geminiPiece is one emission of a candidate and the tokens it stands for.
type geminiPiece struct {
	part  geminiOutPart
	units int
	shown bool // false: omitted thinking, paced but not sent
}

// pieces are a candidate's emissions, in order.
func (gc *geminiCall) pieces(ch *choice) []geminiPiece {
	var out []geminiPiece
	for _, t := range ch.thinking {
		out = append(out, geminiPiece{part: geminiOutPart{Text: &t, Thought: true}, units: 1, shown: !gc.p.thinkingOmitted})
	}
	for k := range ch.text.len() {
		t := ch.text.at(k)
		out = append(out, geminiPiece{part: geminiOutPart{Text: &t}, units: 1, shown: true})
	}
	for i := range ch.calls {
		out = append(out, geminiPiece{part: geminiOutPart{FunctionCall: geminiCallOf(&ch.calls[i])},
			units: max(1, len(ch.calls[i].pieces)), shown: true})
	}
	return out
}

func (gc *geminiCall) stream(ctx context.Context, out wire.Sink, pace *pacer, sse bool) error {
	em := &geminiEmitter{out: out, sse: sse}
	if err := em.head(gc.c); err != nil {
		return err
	}
	if err := pace.first(ctx, gc.p.data.PromptTokens); err != nil {
		return err
	}
	paced := 0 // units whose time has passed
	wait := func(units int) error {
		for range units {
			if paced > 0 {
				if err := pace.gap(ctx); err != nil {
					return err
				}
			}
			paced++
		}
		return nil
	}
	final := gc.shell(gc.usage(len(gc.choices)))
	for i := range gc.choices {
		ps := gc.pieces(&gc.choices[i])
		last, lastUnits := geminiOutPart{Text: new(string)}, 0
		if len(ps) > 0 {
			lp := ps[len(ps)-1]
			ps, lastUnits = ps[:len(ps)-1], lp.units
			if lp.shown {
				last = lp.part
			}
		}
		for _, p := range ps {
			if err := wait(p.units); err != nil {
				return err
			}
			if !p.shown {
				continue
			}
			r := gc.shell(gc.usage(i))
			r.Candidates = []geminiCandidate{{Content: geminiOutContent{Parts: []geminiOutPart{p.part}, Role: "model"}, Index: i}}
			if err := em.send(r); err != nil {
				return err
			}
		}
		if err := wait(lastUnits); err != nil {
			return err
		}
		final.Candidates = append(final.Candidates, geminiCandidate{Content: geminiOutContent{Parts: []geminiOutPart{last}, Role: "model"},
			FinishReason: gc.choices[i].finish.gemini(), Index: i})
	}
	if err := em.send(final); err != nil {
		return err
	}
	return em.end()
}
