package faults

import (
	"context"
	"errors"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Stream cuts, breaks, corrupts or stalls an event stream. It breaks the
// stream part-way, in one of six ways, each a failure the providers'
// streams really show. Exactly one mode is set;
// counts are of SSE events already passed to the client, and zero leaves
// a mode off. A mode acts when event N+1 arrives, so a stream that ends
// by itself within N events goes through whole. On a response that is not
// an event stream it does nothing.
//
// What the client experiences:
//   - TruncateAfterEvents: the stream ends cleanly (the body is complete at
//     the HTTP level) but without its terminal event — no [DONE], no
//     response.completed, no message_stop — as when a proxy in between
//     gives up. An SDK either reports an incomplete stream or, if lenient,
//     returns a partial answer.
//   - ResetAfterEvents: the connection is reset (HTTP/2: the stream) after
//     N events: a read error in the middle of the stream.
//   - ErrorAfterEvents: the provider's own in-stream error event, then the
//     end: OpenAI's {"error":{…,"type":"server_error"}} (500) for chat, its
//     "event: error" for the Responses API, Anthropic's overloaded_error
//     (529). The SDKs raise it as an API error mid-stream.
//   - MalformedAfterEvents: the next event with data arrives cut in half,
//     not valid JSON; the stream then goes on as if nothing happened.
//   - Stall: the stream goes quiet for Duration after AfterEvents events,
//     then resumes: what an idle-read timeout is for.
//   - DropDone: every event arrives but the terminal one.
type Stream struct {
	// TruncateAfterEvents ends the stream cleanly after N events, without
	// the terminal event or [DONE].
	TruncateAfterEvents int `yaml:"truncate_after_events"`
	// ResetAfterEvents resets the connection after N events.
	ResetAfterEvents int `yaml:"reset_after_events"`
	// ErrorAfterEvents sends the provider's in-stream error after N events.
	ErrorAfterEvents int `yaml:"error_after_events"`
	// ErrorStatus is that error's status. Default 500 (Anthropic 529).
	ErrorStatus int `yaml:"error_status"`
	// MalformedAfterEvents corrupts the event after the Nth.
	MalformedAfterEvents int `yaml:"malformed_after_events"`
	// Stall pauses the stream after some events.
	Stall *StreamStall `yaml:"stall"`
	// DropDone leaves out the terminal event but ends normally.
	DropDone bool `yaml:"drop_done"`
}

// StreamStall pauses a stream. It pauses for Duration once AfterEvents
// events have gone out; AfterEvents may be zero: the stream stalls before
// its first event, which also holds back the status line.
type StreamStall struct {
	// AfterEvents is when the pause starts.
	AfterEvents int `yaml:"after_events"`
	// Duration is how long it lasts. Required.
	Duration units.Duration `yaml:"duration"`
}

var (
	_ Stage     = (*Stream)(nil)
	_ Validator = (*Stream)(nil)
)

// Kind implements Fault.
func (*Stream) Kind() string { return "stream" }

// Validate implements Validator: exactly one mode is set, and its numbers
// make sense.
func (s *Stream) Validate() error {
	if s.TruncateAfterEvents < 0 || s.ResetAfterEvents < 0 || s.ErrorAfterEvents < 0 || s.MalformedAfterEvents < 0 {
		return errors.New("stream: event counts must not be negative")
	}
	modes := 0
	for _, on := range []bool{s.TruncateAfterEvents > 0, s.ResetAfterEvents > 0, s.ErrorAfterEvents > 0,
		s.MalformedAfterEvents > 0, s.Stall != nil, s.DropDone} {
		if on {
			modes++
		}
	}
	if modes != 1 {
		return errors.New("stream: set exactly one of truncate_after_events, reset_after_events, " +
			"error_after_events, malformed_after_events, stall, drop_done")
	}
	if s.ErrorStatus != 0 && (s.ErrorAfterEvents == 0 || s.ErrorStatus < 400 || s.ErrorStatus > 599) {
		return errors.New("stream: error_status must be 400-599 and goes with error_after_events")
	}
	if s.Stall != nil && (s.Stall.AfterEvents < 0 || s.Stall.Duration <= 0) {
		return errors.New("stream: stall needs after_events >= 0 and a positive duration")
	}
	return nil
}

// Wrap implements Stage. The state of one response lives in the returned
// sink, so one Stream serves any number of responses at once.
func (s *Stream) Wrap(ctx context.Context, x *Exchange, next wire.Sink) wire.Sink {
	return &streamBreak{ctx: ctx, x: x, f: s, next: next, at: s.after()}
}

// after is the number of events the mode waits for; -1 for DropDone,
// which acts on the terminal event wherever it comes.
func (s *Stream) after() int {
	switch {
	case s.TruncateAfterEvents > 0:
		return s.TruncateAfterEvents
	case s.ResetAfterEvents > 0:
		return s.ResetAfterEvents
	case s.ErrorAfterEvents > 0:
		return s.ErrorAfterEvents
	case s.MalformedAfterEvents > 0:
		return s.MalformedAfterEvents
	case s.Stall != nil:
		return s.Stall.AfterEvents
	}
	return -1
}

// streamError is the in-stream error for framing fs: a server-side
// failure, in the words of the provider that frames the stream (not of the
// request's dialect, which could differ on a compatible host).
func (s *Stream) streamError(fs wire.Stream) *wire.APIError {
	var d wire.Dialect = wire.OpenAIDialect{}
	status := 500
	switch fs {
	case wire.Anthropic:
		d, status = wire.AnthropicDialect{}, 529
	case wire.Gemini:
		d = wire.GeminiDialect{}
	}
	if s.ErrorStatus != 0 {
		status = s.ErrorStatus
	}
	return wire.Canned(d, status, "")
}
