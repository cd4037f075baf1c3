package simulate

import (
	"context"

	"github.com/llm-simulator/llm-simulator/wire"
)

// responsesEvent carries every field of the Responses stream events;
// omitempty leaves each event type with its own.
type responsesEvent struct {
	Type           string          `json:"type"`
	SequenceNumber int             `json:"sequence_number"`
	Response       *responseObject `json:"response,omitempty"`
	OutputIndex    *int            `json:"output_index,omitempty"`
	ItemID         string          `json:"item_id,omitempty"`
	ContentIndex   *int            `json:"content_index,omitempty"`
	Item           *outputItem     `json:"item,omitempty"`
	Part           *textPart       `json:"part,omitempty"`
	Delta          *string         `json:"delta,omitempty"`
	Text           *string         `json:"text,omitempty"`
	Arguments      *string         `json:"arguments,omitempty"`
	Name           string          `json:"name,omitempty"`
	Logprobs       *[]struct{}     `json:"logprobs,omitempty"`
}

// responsesStream numbers the events it sends.
type responsesStream struct {
	out wire.Sink
	seq int
	// paced is set once the stream has waited between tokens: the events
	// before it are encoded off the handler's stack (encodeOffStack).
	paced bool
}

func (s *responsesStream) encode(v any) *jsonEncoder {
	if s.paced {
		return encodeJSON(v)
	}
	return encodeOffStack(v)
}

func (s *responsesStream) send(ev responsesEvent) error {
	ev.SequenceNumber = s.seq
	s.seq++
	enc := s.encode(&ev)
	defer enc.release()
	return s.out.Send(wire.Event{Kind: wire.SSE, Name: ev.Type, Data: enc.bytes()})
}

// deltas sends one delta event per piece, each paced after the first of
// the response, from a template of ev with holes for the sequence number
// and the delta.
func (s *responsesStream) deltas(ctx context.Context, pace *pacer, first *bool, ev responsesEvent, pieces textPieces) error {
	hole := holeString
	ev.SequenceNumber, ev.Delta = holeInt, &hole
	tpl, ok := newEventTemplateFrom(s.encode(&ev))
	for k := range pieces.len() {
		p := pieces.at(k)
		if !*first {
			s.paced = true
			if err := pace.gap(ctx); err != nil {
				return err
			}
		}
		*first = false
		if !ok {
			d := p
			ev.Delta = &d
			if err := s.send(ev); err != nil {
				return err
			}
			continue
		}
		buf := scratchPool.Get().(*[]byte)
		*buf = tpl.start(*buf).int(s.seq).str(p).buf
		s.seq++
		err := s.out.Send(wire.Event{Kind: wire.SSE, Name: ev.Type, Data: *buf})
		scratchPool.Put(buf)
		if err != nil {
			return err
		}
	}
	return nil
}

// streamOut sends the documented event sequence: created, in_progress,
// then per output item its added/delta/done events, then completed (or
// incomplete when max_output_tokens cut the answer). There is no [DONE].
func (rc *responsesCall) streamOut(ctx context.Context, out wire.Sink, pace *pacer) error {
	s := &responsesStream{out: out}
	if err := sendHead(out, openAIHead(rc.c, wire.OpenAIResponses, 0)); err != nil {
		return err
	}
	for _, typ := range []string{"response.created", "response.in_progress"} {
		if err := s.send(responsesEvent{Type: typ, Response: rc.object("in_progress", []outputItem{})}); err != nil {
			return err
		}
	}
	if err := pace.first(ctx, rc.p.data.PromptTokens); err != nil {
		return err
	}
	var err error
	if len(rc.ch.calls) == 0 {
		err = rc.streamMessage(ctx, s, pace)
	} else {
		err = rc.streamCalls(ctx, s, pace)
	}
	if err != nil {
		return err
	}
	final := "response." + rc.status
	if err := s.send(responsesEvent{Type: final, Response: rc.object(rc.status, rc.items(rc.status))}); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}

// streamMessage sends a message's events. It stays a small frame, and
// the opening and closing events are built in functions of their own:
// this frame is on the stack of every stream parked between its tokens,
// and with the events in it (1.4 KiB) a parked handler's stack came
// within reach of 8 KiB, so that the calls it makes on the way doubled it
// for the stream's life (BenchmarkOpenStreams/front-responses).
func (rc *responsesCall) streamMessage(ctx context.Context, s *responsesStream, pace *pacer) error {
	if err := rc.openMessage(s); err != nil {
		return err
	}
	first := true
	if err := s.deltas(ctx, pace, &first, rc.textDelta(), rc.ch.text); err != nil {
		return err
	}
	return rc.closeMessage(s)
}

// openMessage sends the events that open the message and its text part.
func (rc *responsesCall) openMessage(s *responsesStream) error {
	zero := 0
	added := rc.message("in_progress", "", false)
	part := newTextPart("")
	if err := s.send(responsesEvent{Type: "response.output_item.added", OutputIndex: &zero, Item: &added}); err != nil {
		return err
	}
	return s.send(responsesEvent{Type: "response.content_part.added", ItemID: rc.msgID, OutputIndex: &zero, ContentIndex: &zero, Part: &part})
}

// textDelta is the message's delta event, Delta and SequenceNumber left
// for deltas to fill.
func (rc *responsesCall) textDelta() responsesEvent {
	zero := 0
	empty := []struct{}{}
	return responsesEvent{Type: "response.output_text.delta", ItemID: rc.msgID, OutputIndex: &zero, ContentIndex: &zero, Logprobs: &empty}
}

// closeMessage sends the events that close the message's text, its part
// and the message.
func (rc *responsesCall) closeMessage(s *responsesStream) error {
	zero := 0
	empty := []struct{}{}
	text := rc.ch.content()
	done := newTextPart(text)
	item := rc.message(rc.status, text, true)
	for _, ev := range []responsesEvent{
		{Type: "response.output_text.done", ItemID: rc.msgID, OutputIndex: &zero, ContentIndex: &zero, Text: &text, Logprobs: &empty},
		{Type: "response.content_part.done", ItemID: rc.msgID, OutputIndex: &zero, ContentIndex: &zero, Part: &done},
		{Type: "response.output_item.done", OutputIndex: &zero, Item: &item},
	} {
		if err := s.send(ev); err != nil {
			return err
		}
	}
	return nil
}

func (rc *responsesCall) streamCalls(ctx context.Context, s *responsesStream, pace *pacer) error {
	first := true
	for i, call := range rc.ch.calls {
		idx := i
		added := rc.functionCall(i, "in_progress", "")
		if err := s.send(responsesEvent{Type: "response.output_item.added", OutputIndex: &idx, Item: &added}); err != nil {
			return err
		}
		delta := responsesEvent{Type: "response.function_call_arguments.delta", ItemID: rc.fcIDs[i], OutputIndex: &idx}
		if err := s.deltas(ctx, pace, &first, delta, piecesOf(call.pieces)); err != nil {
			return err
		}
		args := call.args
		item := rc.functionCall(i, rc.status, args)
		if err := s.send(responsesEvent{Type: "response.function_call_arguments.done", ItemID: rc.fcIDs[i], OutputIndex: &idx, Arguments: &args, Name: call.name}); err != nil {
			return err
		}
		if err := s.send(responsesEvent{Type: "response.output_item.done", OutputIndex: &idx, Item: &item}); err != nil {
			return err
		}
	}
	return nil
}
