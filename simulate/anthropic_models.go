package simulate

import (
	"context"
	"net/http"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Token counting (POST /v1/messages/count_tokens) and models
// (GET /v1/models with Anthropic headers).

func serveCountTokens(_ context.Context, c *Call, out wire.Sink) error {
	var req messagesRequest
	if e := decodeAnthropic(c.Body, &req); e != nil {
		return c.fail(out, anthropic, e)
	}
	if e := req.validate(false); e != nil {
		return c.fail(out, anthropic, e)
	}
	if !c.Config.allowed(*req.Model) {
		return c.fail(out, anthropic, anthropicModelNotFound(*req.Model))
	}
	resp := struct {
		InputTokens int `json:"input_tokens"`
	}{req.prompt(c.Path).data.PromptTokens}
	return sendJSON(out, func(n int) wire.Event { return anthropicHead(c, wire.NotStream, n) }, &resp)
}

type anthropicModel struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}

var knownAnthropicModels = []anthropicModel{
	{"model", "claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"},
	{"model", "claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"},
	{"model", "claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"},
	{"model", "claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z"},
	{"model", "claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"},
}

func anthropicModelInfo(id string) anthropicModel {
	for _, m := range knownAnthropicModels {
		if m.ID == id {
			return m
		}
	}
	return anthropicModel{"model", id, id, "2025-01-01T00:00:00Z"}
}

func serveAnthropicModels(_ context.Context, c *Call, out wire.Sink) error {
	list := struct {
		Data    []anthropicModel `json:"data"`
		HasMore bool             `json:"has_more"`
		FirstID *string          `json:"first_id"`
		LastID  *string          `json:"last_id"`
	}{Data: []anthropicModel{}}
	seen := map[string]bool{}
	if len(c.Config.AllowedModels) == 0 {
		for _, m := range knownAnthropicModels {
			list.Data, seen[m.ID] = append(list.Data, m), true
		}
	}
	for _, n := range c.Config.listedModels(isAnthropicModel) {
		if !seen[n] {
			list.Data = append(list.Data, anthropicModelInfo(n))
		}
	}
	if len(list.Data) > 0 {
		list.FirstID, list.LastID = &list.Data[0].ID, &list.Data[len(list.Data)-1].ID
	}
	return sendJSON(out, func(n int) wire.Event { return anthropicHead(c, wire.NotStream, n) }, &list)
}

func serveAnthropicModel(_ context.Context, c *Call, out wire.Sink, id string) error {
	if !c.Config.allowed(id) {
		return c.fail(out, anthropic, &wire.APIError{Status: http.StatusNotFound, Type: "not_found_error", Message: "model: " + id})
	}
	m := anthropicModelInfo(id)
	return sendJSON(out, func(n int) wire.Event { return anthropicHead(c, wire.NotStream, n) }, &m)
}
