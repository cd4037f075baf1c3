package simulate

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/llm-simulator/llm-simulator/wire"
)

// OpenAI emulates OpenAI's API: chat completions, legacy completions,
// embeddings, models and the Responses API.
type OpenAI struct{}

var _ Emulator = OpenAI{}

// Dialect implements Emulator.
func (OpenAI) Dialect() wire.Dialect { return wire.OpenAIDialect{} }

// Serve implements Emulator.
func (o OpenAI) Serve(ctx context.Context, c *Call, out wire.Sink) error {
	route, known := openAIRoute(c.Path)
	if known && c.Method != route.method {
		return c.fail(out, o.Dialect(), &wire.APIError{Status: http.StatusMethodNotAllowed,
			Message: "Invalid method for URL (" + c.Method + " " + c.Path + ")"})
	}
	if !known {
		return c.fail(out, o.Dialect(), &wire.APIError{Status: http.StatusNotFound,
			Message: "Invalid URL (" + c.Method + " " + c.Path + ")"})
	}
	return route.serve(ctx, c, out)
}

type openAIEndpoint struct {
	method string
	serve  func(context.Context, *Call, wire.Sink) error
}

func openAIRoute(path string) (openAIEndpoint, bool) {
	switch path = openAIPath(path); path {
	case "/v1/chat/completions":
		return openAIEndpoint{http.MethodPost, serveChat}, true
	case "/v1/completions":
		return openAIEndpoint{http.MethodPost, serveCompletions}, true
	case "/v1/embeddings":
		return openAIEndpoint{http.MethodPost, serveEmbeddings}, true
	case "/v1/responses":
		return openAIEndpoint{http.MethodPost, serveResponses}, true
	case "/v1/models":
		return openAIEndpoint{http.MethodGet, serveOpenAIModels}, true
	}
	if id, ok := strings.CutPrefix(path, "/v1/models/"); ok && id != "" {
		return openAIEndpoint{http.MethodGet, func(ctx context.Context, c *Call, out wire.Sink) error {
			return serveOpenAIModel(ctx, c, out, id)
		}}, true
	}
	return openAIEndpoint{}, false
}

// openAIPath is an OpenAI API path as OpenAI writes it: the
// OpenAI-compatible API on Gemini's host (/v1beta/openai/chat/completions)
// is OpenAI's /v1/chat/completions.
func openAIPath(path string) string {
	if rest, ok := strings.CutPrefix(path, wire.GeminiOpenAIPrefix); ok {
		return "/v1/" + rest
	}
	return path
}

var openAI = wire.OpenAIDialect{}

// openAIModelNotFound is OpenAI's answer to a model it does not serve.
func openAIModelNotFound(model string) *wire.APIError {
	return &wire.APIError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "model_not_found",
		Message: "The model `" + model + "` does not exist or you do not have access to it."}
}

// Header values shared by every response; net/http never modifies them.
// Keys are written in canonical form so no call pays for canonicalising.
var (
	valueJSON       = []string{"application/json"}
	valueSSE        = []string{"text/event-stream; charset=utf-8"}
	valueNoCache    = []string{"no-cache"}
	valueAPIVersion = []string{"2020-10-01"}
)

// successHead is the head of a successful response: content type and
// length (or stream headers), the provider's request-id header (none when
// idHeader is "") and, when timeHeader is set, the processing time in
// milliseconds under that name.
//
// The call's own values share one allocation: the Writer hands the
// slices to net/http, which keeps them until the status line goes out, so
// unlike the map they cannot go back to a pool (BenchmarkFront: 15 → 13
// allocations).
func successHead(c *Call, stream wire.Stream, contentLength int, idHeader, timeHeader string) wire.Event {
	h := headers.Get().(http.Header)
	v := new([3]string)
	if stream == wire.NotStream {
		h["Content-Type"] = valueJSON
		v[0] = strconv.Itoa(contentLength)
		h["Content-Length"] = v[0:1:1]
	} else {
		h["Content-Type"] = valueSSE
		h["Cache-Control"] = valueNoCache
	}
	if idHeader != "" {
		v[1] = c.RequestID
		h[idHeader] = v[1:2:2]
	}
	if timeHeader != "" {
		v[2] = strconv.FormatInt(c.Clock.Now().Sub(c.Start).Milliseconds(), 10)
		h[timeHeader] = v[2:3:3]
	}
	return wire.Event{Kind: wire.Head, Status: http.StatusOK, Header: h, Stream: stream}
}

// openAIHead is the head of a successful OpenAI response.
func openAIHead(c *Call, stream wire.Stream, contentLength int) wire.Event {
	ev := successHead(c, stream, contentLength, "X-Request-Id", "Openai-Processing-Ms")
	ev.Header["Openai-Version"] = valueAPIVersion
	return ev
}

// headers recycles head maps: the Writer copies a head's entries, and an
// event's header is only valid until Send returns.
var headers = sync.Pool{New: func() any { return make(http.Header, 8) }}

// sendHead sends a head built by successHead, then recycles its map.
func sendHead(out wire.Sink, ev wire.Event) error {
	err := out.Send(ev)
	clear(ev.Header)
	headers.Put(ev.Header)
	return err
}

// sendJSON sends a complete JSON response.
func sendJSON(out wire.Sink, head func(n int) wire.Event, v any) error {
	enc := encodeJSON(v)
	defer enc.release()
	if err := sendHead(out, head(len(enc.bytes()))); err != nil {
		return err
	}
	if err := out.Send(wire.Event{Kind: wire.Chunk, Data: enc.bytes()}); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}

// sendSSE sends one event with v as its data.
func sendSSE(out wire.Sink, name string, v any) error {
	enc := encodeJSON(v)
	defer enc.release()
	return out.Send(wire.Event{Kind: wire.SSE, Name: name, Data: enc.bytes()})
}

// fingerprint is a stable system_fingerprint per model.
func fingerprint(model string) string {
	const hex = "0123456789abcdef"
	h := uint64(14695981039346656037)
	for i := 0; i < len(model); i++ {
		h = (h ^ uint64(model[i])) * 1099511628211
	}
	b := []byte("fp_0000000000")
	for i := 3; i < len(b); i++ {
		b[i] = hex[h&15]
		h >>= 4
	}
	return string(b)
}
