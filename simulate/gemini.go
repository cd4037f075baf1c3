package simulate

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Gemini emulates Google's Gemini API (the Generative Language API):
// generateContent and streamGenerateContent (with tools, structured
// output and thinking), countTokens, embedContent and batchEmbedContents,
// and the models, under /v1beta/ and /v1/.
type Gemini struct{}

var _ Emulator = Gemini{}

var gemini = wire.GeminiDialect{}

// Dialect implements Emulator.
func (Gemini) Dialect() wire.Dialect { return gemini }

type geminiHandler func(ctx context.Context, c *Call, out wire.Sink, model string) error

// Serve implements Emulator.
func (Gemini) Serve(ctx context.Context, c *Call, out wire.Sink) error {
	version, rest, ok := geminiVersion(c.Path)
	if !ok {
		return c.fail(out, gemini, geminiNotFound(c.Path))
	}
	if rest == "models" {
		return geminiOnly(ctx, c, out, http.MethodGet, "", serveGeminiModels)
	}
	model, method, isCall := wire.GeminiMethod(c.Path)
	if !isCall {
		if id, ok := strings.CutPrefix(rest, "models/"); ok && id != "" && !strings.Contains(id, "/") {
			return geminiOnly(ctx, c, out, http.MethodGet, id, serveGeminiModel)
		}
		return c.fail(out, gemini, geminiNotFound(c.Path))
	}
	var serve geminiHandler
	switch method {
	case "generateContent", "streamGenerateContent":
		serve = serveGenerateContent
	case "countTokens":
		serve = serveGeminiCountTokens
	case "embedContent":
		serve = serveEmbedContent
	case "batchEmbedContents":
		serve = serveBatchEmbedContents
	default:
		return c.fail(out, gemini, geminiNotFound(c.Path))
	}
	if !c.Config.allowed(model) {
		return c.fail(out, gemini, geminiModelNotFound(model, version, method))
	}
	return geminiOnly(ctx, c, out, http.MethodPost, model, serve)
}

// geminiOnly serves the request if it uses the endpoint's method.
func geminiOnly(ctx context.Context, c *Call, out wire.Sink, method, model string, serve geminiHandler) error {
	if c.Method != method {
		return c.fail(out, gemini, &wire.APIError{Status: http.StatusMethodNotAllowed, Type: "INVALID_ARGUMENT",
			Message: "Method " + c.Method + " is not allowed for " + c.Path + "."})
	}
	return serve(ctx, c, out, model)
}

// geminiVersion splits /v1beta/rest or /v1/rest.
func geminiVersion(path string) (version, rest string, ok bool) {
	for _, v := range []string{"v1beta", "v1"} {
		if r, found := strings.CutPrefix(path, "/"+v+"/"); found {
			return v, r, true
		}
	}
	return "", "", false
}

// geminiInvalid is a 400 INVALID_ARGUMENT. Google lists field violations
// as "* Request.field: problem" lines.
func geminiInvalid(format string, args ...any) *wire.APIError {
	return &wire.APIError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// geminiViolation is one field violation of a request type.
func geminiViolation(request, field, format string, args ...any) *wire.APIError {
	return geminiInvalid("* %s.%s: %s\n", request, field, fmt.Sprintf(format, args...))
}

func geminiNotFound(path string) *wire.APIError {
	return &wire.APIError{Status: http.StatusNotFound, Message: "Requested entity was not found. (" + path + ")"}
}

func geminiModelNotFound(model, version, method string) *wire.APIError {
	return &wire.APIError{Status: http.StatusNotFound, Message: "models/" + model + " is not found for API version " + version +
		", or is not supported for " + method + ". Call ListModels to see the list of available models and their supported methods."}
}

var (
	valueGeminiJSON = []string{"application/json; charset=UTF-8"}
	valueGeminiVary = []string{"Origin", "X-Origin", "Referer"}
)

// geminiHead is the head of a successful Gemini response. Google sends
// no request id header; it does time the call in Server-Timing.
func geminiHead(c *Call, stream wire.Stream, contentLength int) wire.Event {
	ev := successHead(c, stream, contentLength, "", "")
	if stream == wire.NotStream {
		ev.Header["Content-Type"] = valueGeminiJSON
	}
	ev.Header["Vary"] = valueGeminiVary
	ev.Header["Server-Timing"] = []string{"gfet4t7; dur=" + strconv.FormatInt(c.Clock.Now().Sub(c.Start).Milliseconds(), 10)}
	return ev
}

// sendGeminiJSON sends a complete Gemini JSON answer.
func sendGeminiJSON(c *Call, out wire.Sink, v any) error {
	return sendJSON(out, func(n int) wire.Event { return geminiHead(c, wire.NotStream, n) }, v)
}
