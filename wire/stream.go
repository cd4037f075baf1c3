package wire

import "bytes"

// Stream identifies how a response's events are framed. Stream faults use
// it to end a stream the way the provider would and to recognise the event
// that completes it.
type Stream uint8

// The framings of the providers' event streams.
const (
	// NotStream is a plain body.
	NotStream Stream = iota
	// OpenAIChat is chat and legacy completions: data-only events, ending
	// with "data: [DONE]"; errors arrive as a data event {"error":{…}}.
	OpenAIChat
	// OpenAIResponses is the Responses API: named events with a
	// sequence_number, ending with response.completed (or .failed or
	// .incomplete) and no [DONE]; errors arrive as "event: error".
	OpenAIResponses
	// Anthropic is the Messages API: named events ending with message_stop;
	// errors arrive as "event: error".
	Anthropic
	// Gemini is generateContent streamed with alt=sse: data-only events,
	// each a whole GenerateContentResponse; the one whose candidates carry
	// a finishReason is the last, and no [DONE] follows. Errors arrive as
	// a data event {"error":{…}}.
	Gemini
)

func (s Stream) String() string {
	switch s {
	case NotStream:
		return "none"
	case OpenAIChat:
		return "openai-chat"
	case OpenAIResponses:
		return "openai-responses"
	case Anthropic:
		return "anthropic"
	case Gemini:
		return "gemini"
	}
	return "invalid"
}

var (
	doneData     = []byte("[DONE]")
	finishReason = []byte(`"finishReason"`)
)

// DoneEvent is OpenAI's data-only stream terminator.
func DoneEvent() Event { return Event{Kind: SSE, Data: doneData} }

// Terminal reports whether ev is the event that completes a stream of this
// framing: a stream cut before it is, to the client, incomplete.
func (s Stream) Terminal(ev Event) bool {
	if ev.Kind != SSE {
		return false
	}
	switch s {
	case OpenAIChat:
		return ev.Name == "" && bytes.Equal(bytes.TrimSpace(ev.Data), doneData)
	case OpenAIResponses:
		switch ev.Name {
		case "response.completed", "response.failed", "response.incomplete":
			return true
		}
	case Anthropic:
		return ev.Name == "message_stop"
	case Gemini:
		return bytes.Contains(ev.Data, finishReason)
	}
	return false
}

// ErrorEvent returns the event this framing uses to report e mid-stream.
// seq is the number of events already sent, which the Responses API
// carries as sequence_number.
func (s Stream) ErrorEvent(e *APIError, seq int) Event {
	switch s {
	case OpenAIResponses:
		return Event{Kind: SSE, Name: "error", Data: openAIResponsesErrorEvent(e, seq)}
	case Anthropic:
		return Event{Kind: SSE, Name: "error", Data: anthropicErrorBody(e, "", AnthropicDialect{}.ErrorType(e.status()))}
	case Gemini:
		return Event{Kind: SSE, Data: geminiErrorEvent(e)}
	default:
		return Event{Kind: SSE, Data: openAIErrorBody(e, false)}
	}
}
