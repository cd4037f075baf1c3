package faults

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Synthetic sources for the stage tests: each is the event sequence a
// source sends for one response.

// fxChat is an OpenAI chat stream as the forwarder passes it on: every
// event carries Raw framed with "data:" and no space, unlike the Writer's
// own "data: ", so a test sees whether an event went out verbatim or was
// rebuilt.
func fxChat() []wire.Event {
	evs := []wire.Event{{Kind: wire.Head, Status: 200, Stream: wire.OpenAIChat,
		Header: http.Header{"Content-Type": {"text/event-stream"}}}}
	for i := range 5 {
		data := fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",`+
			`"choices":[{"index":0,"delta":{"content":"w%d"},"finish_reason":null}]}`, i)
		evs = append(evs, wire.Event{Kind: wire.SSE, Data: []byte(data), Raw: []byte("data:" + data + "\n\n")})
	}
	return append(evs, wire.DoneEvent(), wire.Event{Kind: wire.End})
}

// fxAnthropic is an Anthropic Messages stream as the simulator sends it.
func fxAnthropic() []wire.Event {
	return fxNamed(wire.Anthropic,
		"message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}`,
		"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		"ping", `{"type":"ping"}`,
		"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
		"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}`,
		"content_block_stop", `{"type":"content_block_stop","index":0}`,
		"message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}`,
		"message_stop", `{"type":"message_stop"}`)
}

// fxResponses is an OpenAI Responses API stream, ending with
// response.completed and no [DONE].
func fxResponses() []wire.Event {
	return fxNamed(wire.OpenAIResponses,
		"response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress"}}`,
		"response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","status":"in_progress"}}`,
		"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}`,
		"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"!"}`,
		"response.completed", `{"type":"response.completed","sequence_number":4,"response":{"id":"resp_1","status":"completed"}}`)
}

// fxNamed is a stream of named events: pairs of name and data.
func fxNamed(framing wire.Stream, pairs ...string) []wire.Event {
	evs := []wire.Event{{Kind: wire.Head, Status: 200, Stream: framing,
		Header: http.Header{"Content-Type": {"text/event-stream"}}}}
	for i := 0; i < len(pairs); i += 2 {
		evs = append(evs, wire.Event{Kind: wire.SSE, Name: pairs[i], Data: []byte(pairs[i+1])})
	}
	return append(evs, wire.Event{Kind: wire.End})
}

const fxJSONBody = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}]}`

// fxJSON is a plain JSON body in two chunks; sized sets Content-Length,
// else the body goes out chunked.
func fxJSON(sized bool) []wire.Event {
	h := http.Header{"Content-Type": {"application/json"}}
	if sized {
		h.Set("Content-Length", strconv.Itoa(len(fxJSONBody)))
	}
	return []wire.Event{{Kind: wire.Head, Status: 200, Header: h},
		{Kind: wire.Chunk, Data: []byte(fxJSONBody[:60])}, {Kind: wire.Chunk, Data: []byte(fxJSONBody[60:])},
		{Kind: wire.End}}
}
