package simulate

import (
	"context"
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Anthropic emulates Anthropic's API: messages (with tools and extended
// thinking), token counting and models.
type Anthropic struct{}

var _ Emulator = Anthropic{}

var anthropic = wire.AnthropicDialect{}

// Dialect implements Emulator.
func (Anthropic) Dialect() wire.Dialect { return anthropic }

// Serve implements Emulator.
func (Anthropic) Serve(ctx context.Context, c *Call, out wire.Sink) error {
	method, serve := anthropicRoute(c.Path)
	switch {
	case serve == nil:
		return c.fail(out, anthropic, &wire.APIError{Status: http.StatusNotFound, Message: "Not Found"})
	case c.Method != method:
		return c.fail(out, anthropic, &wire.APIError{Status: http.StatusMethodNotAllowed, Type: "invalid_request_error", Message: "Method Not Allowed"})
	}
	return serve(ctx, c, out)
}

func anthropicRoute(path string) (string, func(context.Context, *Call, wire.Sink) error) {
	switch path {
	case "/v1/messages":
		return http.MethodPost, serveMessages
	case "/v1/messages/count_tokens":
		return http.MethodPost, serveCountTokens
	case "/v1/models":
		return http.MethodGet, serveAnthropicModels
	}
	if id, ok := strings.CutPrefix(path, "/v1/models/"); ok && id != "" {
		return http.MethodGet, func(ctx context.Context, c *Call, out wire.Sink) error {
			return serveAnthropicModel(ctx, c, out, id)
		}
	}
	return "", nil
}

func anthropicModelNotFound(model string) *wire.APIError {
	return &wire.APIError{Status: http.StatusNotFound, Type: "not_found_error", Message: "model: " + model}
}

// anthropicHead is the head of a successful Anthropic response.
func anthropicHead(c *Call, stream wire.Stream, contentLength int) wire.Event {
	return successHead(c, stream, contentLength, "Request-Id", "")
}
