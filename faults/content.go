package faults

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Content makes a well-formed answer wrong as models' answers are. It
// does so whatever source produced the answer, editing the JSON of the
// response body, or of each event of a stream, per endpoint (chat and
// legacy completions, the Responses API, Anthropic messages). Any
// combination of the options may be set; at least one must be.
//
//   - Finish changes how the answer says it ended: "length" (cut at the
//     token limit), "content_filter" (stopped by the provider's filter)
//     or "refusal" (the model declined). Each provider says so in its own
//     words; see the table in content_openai.go, content_responses.go and
//     content_anthropic.go. Empty leaves the ending alone.
//   - InvalidToolArguments makes tool-call arguments text that is not
//     JSON: their final closing brace goes missing. Anthropic's
//     non-streaming tool_use.input is a JSON object in the body itself,
//     which cannot be broken without breaking the whole body, so on
//     Anthropic only the streamed input_json_delta pieces are broken.
//   - UnknownTool, when set, renames every tool call to this name.
//   - Empty empties the answer's text; tool calls, thinking and usage
//     stay as they were. A stream keeps its opening and closing events;
//     its text deltas are dropped (emptied on the Responses API, whose
//     events are numbered). On OpenAI, where a "refusal" Finish replaces
//     the text, the refusal takes precedence: it is the answer.
//
// Bodies that are not JSON, responses that are not a success (an error
// status, an encoded body) and events it does not recognise pass through
// untouched, and so does every event it did not change, byte for byte. An
// edited body or event is re-encoded compactly: key order and the values
// it did not touch are kept, the whitespace between them is not.
type Content struct {
	// Finish is length, content_filter or refusal, in each provider's terms.
	Finish string `yaml:"finish"`
	// InvalidToolArguments makes tool-call arguments invalid JSON.
	InvalidToolArguments bool `yaml:"invalid_tool_arguments"`
	// UnknownTool renames tool calls to a tool the request did not offer.
	UnknownTool string `yaml:"unknown_tool"`
	// Empty makes the answer's text empty.
	Empty bool `yaml:"empty"`
}

// The values of Content.Finish.
const (
	finishLength        = "length"
	finishContentFilter = "content_filter"
	finishRefusal       = "refusal"
)

// refusalText is what a refusing model says.
const refusalText = "I'm sorry, but I can't help with that."

// maxContentBody bounds the body held back for editing; a larger one goes
// out untouched rather than growing the memory of one request unbounded.
const maxContentBody = 8 << 20

var (
	_ Stage     = (*Content)(nil)
	_ Validator = (*Content)(nil)
)

// Kind implements Fault.
func (*Content) Kind() string { return "content" }

// Validate implements Validator: at least one option is set, and Finish
// is known.
func (c *Content) Validate() error {
	switch c.Finish {
	case "", finishLength, finishContentFilter, finishRefusal:
	default:
		return errors.New(`content: finish must be "length", "content_filter" or "refusal", not "` + c.Finish + `"`)
	}
	if c.Finish == "" && !c.InvalidToolArguments && c.UnknownTool == "" && !c.Empty {
		return errors.New("content: set at least one of finish, invalid_tool_arguments, unknown_tool, empty")
	}
	return nil
}

// empty reports whether text is to be emptied: a refusal replaces it
// instead.
func (c *Content) empty() bool { return c.Empty && c.Finish != finishRefusal }

// Wrap implements Stage. An endpoint that carries no answer (models,
// embeddings, anything unknown) is not wrapped at all.
func (c *Content) Wrap(_ context.Context, x *Exchange, next wire.Sink) wire.Sink {
	ed := c.editor(x)
	if ed == nil {
		return next
	}
	return &contentSink{next: next, ed: ed}
}

// contentEditor edits one response of one endpoint. It holds the state a
// stream's edits need across events, so each response gets its own.
type contentEditor interface {
	// body edits a whole non-streaming answer and reports a change.
	body(o *jsonObject) bool
	// event edits one event of a stream (name is the SSE event name) and
	// returns the event's name afterwards, whether it changed, and whether
	// it is to be dropped.
	event(name string, o *jsonObject) (newName string, changed, drop bool)
}

// editor picks the editor for the request's endpoint, nil if it has none.
// The path decides the shape, whatever the provider, since compatible
// hosts serve OpenAI's shapes; the provider only tells Anthropic's
// /v1/messages from OpenAI's assistants thread messages.
func (c *Content) editor(x *Exchange) contentEditor {
	if x.Method != "" && x.Method != http.MethodPost {
		return nil
	}
	p, _, _ := strings.Cut(x.Path, "?")
	p = strings.TrimSuffix(p, "/")
	anthropic := x.Provider == "anthropic" || (x.Dialect != nil && x.Dialect.Name() == "anthropic")
	switch {
	case x.Dialect != nil && x.Dialect.Name() == "gemini":
		if strings.HasSuffix(p, ":generateContent") || strings.HasSuffix(p, ":streamGenerateContent") {
			return &geminiEditor{c: c}
		}
		return nil
	case strings.HasSuffix(p, "/chat/completions"):
		return &chatEditor{c: c}
	case strings.HasSuffix(p, "/completions"):
		return &completionsEditor{c: c}
	case strings.HasSuffix(p, "/responses"):
		return &responsesEditor{c: c}
	case strings.HasSuffix(p, "/messages") && anthropic:
		return &messagesEditor{c: c}
	}
	return nil
}

// contentSink routes one response through its editor: SSE events one by
// one as they come, a JSON body whole (its head held back until the body
// is complete, so Content-Length can follow the edit).
type contentSink struct {
	next wire.Sink
	ed   contentEditor
	pass bool        // this response is not to be edited
	held *wire.Event // the head of a body being collected; nil otherwise
	body []byte
}

func (s *contentSink) Send(ev wire.Event) error {
	switch ev.Kind {
	case wire.Head:
		// A later head replaces an earlier one (see wire.Writer), so each
		// decides afresh.
		s.held, s.body = nil, s.body[:0]
		s.pass = !editable(ev)
		if s.pass || isEventStream(ev) {
			return s.next.Send(ev)
		}
		h := ev
		h.Header = ev.Header.Clone() // only valid during Send
		s.held = &h
		return nil
	case wire.Chunk:
		if s.held == nil {
			return s.next.Send(ev)
		}
		if len(s.body)+len(ev.Data) > maxContentBody {
			if err := s.release(); err != nil {
				return err
			}
			s.pass = true
			return s.next.Send(ev)
		}
		s.body = append(s.body, ev.Data...)
		return nil
	case wire.SSE:
		// A head that announced a plain body but is followed by events is
		// let go as it came; the events are still edited.
		if err := s.release(); err != nil {
			return err
		}
		if s.pass {
			return s.next.Send(ev)
		}
		return s.event(ev)
	case wire.End:
		if s.held != nil {
			if err := s.finishBody(); err != nil {
				return err
			}
		}
	}
	return s.next.Send(ev)
}

// editable reports whether a response's head allows editing: a success
// whose body is not encoded and, when it is not a stream, is JSON.
func editable(head wire.Event) bool {
	if st := cmp.Or(head.Status, http.StatusOK); st < 200 || st > 299 {
		return false
	}
	if ce := head.Header.Get("Content-Encoding"); ce != "" && ce != "identity" {
		return false
	}
	ct := head.Header.Get("Content-Type")
	return isEventStream(head) || ct == "" || strings.Contains(ct, "json")
}

// isEventStream reports whether a head starts an event stream: by its
// framing, or by its content type when the source did not say.
func isEventStream(head wire.Event) bool {
	return head.Stream != wire.NotStream || strings.HasPrefix(head.Header.Get("Content-Type"), "text/event-stream")
}

// release sends a held head and body on unchanged.
func (s *contentSink) release() error {
	if s.held == nil {
		return nil
	}
	head := *s.held
	s.held = nil
	if err := s.next.Send(head); err != nil {
		return err
	}
	if len(s.body) == 0 {
		return nil
	}
	err := s.next.Send(wire.Event{Kind: wire.Chunk, Data: s.body})
	s.body = s.body[:0]
	return err
}

// finishBody edits the collected body and sends head and body on; a body
// that is not a JSON object, or that the edit leaves alone, goes out as it
// came. The caller sends the End.
func (s *contentSink) finishBody() error {
	o, ok := parseObject(s.body)
	if !ok || !s.ed.body(&o) {
		return s.release()
	}
	body := o.encode()
	head := *s.held
	s.held, s.body = nil, s.body[:0]
	if head.Header.Get("Content-Length") != "" {
		head.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if err := s.next.Send(head); err != nil {
		return err
	}
	return s.next.Send(wire.Event{Kind: wire.Chunk, Data: body})
}

// event edits one SSE event; data that is not a JSON object ([DONE], a
// keep-alive) goes on untouched, Raw and all.
func (s *contentSink) event(ev wire.Event) error {
	o, ok := parseObject(ev.Data)
	if !ok {
		return s.next.Send(ev)
	}
	name, changed, drop := s.ed.event(ev.Name, &o)
	switch {
	case drop:
		return nil
	case !changed:
		return s.next.Send(ev)
	}
	return s.next.Send(wire.Event{Kind: wire.SSE, Name: name, Data: o.encode()})
}
