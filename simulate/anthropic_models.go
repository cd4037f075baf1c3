package simulate

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
	Type           string            `json:"type"`
	ID             string            `json:"id"`
	DisplayName    string            `json:"display_name"`
	CreatedAt      string            `json:"created_at"`
	Capabilities   modelCapabilities `json:"capabilities"`
	Lifecycle      string            `json:"lifecycle"`
	DeprecatedAt   *string           `json:"deprecated_at"`
	RetiresAt      *string           `json:"retires_at"`
	Line           *string           `json:"line"`
	MaxInputTokens int               `json:"max_input_tokens"`
	MaxTokens      int               `json:"max_tokens"`
}

// support is the API's {"supported": bool}.
type support struct {
	Supported bool `json:"supported"`
}

type modelCapabilities struct {
	Batch             support `json:"batch"`
	Citations         support `json:"citations"`
	CodeExecution     support `json:"code_execution"`
	ContextManagement struct {
		support
		ClearThinking20251015 support `json:"clear_thinking_20251015"`
		ClearToolUses20250919 support `json:"clear_tool_uses_20250919"`
		Compact20260112       support `json:"compact_20260112"`
	} `json:"context_management"`
	Effort struct {
		support
		Low    support `json:"low"`
		Medium support `json:"medium"`
		High   support `json:"high"`
		Xhigh  support `json:"xhigh"`
		Max    support `json:"max"`
	} `json:"effort"`
	ImageInput  support `json:"image_input"`
	PDFInput    support `json:"pdf_input"`
	ServerTools struct {
		support
		CodeExecution support `json:"code_execution"`
		WebSearch     support `json:"web_search"`
	} `json:"server_tools"`
	StructuredOutputs support `json:"structured_outputs"`
	Thinking          struct {
		support
		Types struct {
			Adaptive     support `json:"adaptive"`
			BetweenTools support `json:"between_tools"`
			Disabled     support `json:"disabled"`
			Enabled      support `json:"enabled"`
		} `json:"types"`
	} `json:"thinking"`
}

// simulatedCapabilities is what the simulator can do for any model: the
// features it emulates are supported, server-side tools are not.
func simulatedCapabilities() modelCapabilities {
	yes := support{true}
	var c modelCapabilities
	c.Batch, c.Citations, c.ImageInput, c.PDFInput, c.StructuredOutputs = yes, yes, yes, yes, yes
	c.Effort.support, c.Effort.Low, c.Effort.Medium, c.Effort.High = yes, yes, yes, yes
	c.Thinking.support, c.Thinking.Types.Adaptive, c.Thinking.Types.Disabled, c.Thinking.Types.Enabled = yes, yes, yes, yes
	return c
}

func newAnthropicModel(id, name, created string) anthropicModel {
	m := anthropicModel{Type: "model", ID: id, DisplayName: name, CreatedAt: created,
		Capabilities: simulatedCapabilities(), Lifecycle: "active", MaxInputTokens: 200000, MaxTokens: 64000}
	for _, line := range []string{"haiku", "sonnet", "opus"} {
		if strings.Contains(id, line) {
			m.Line = &line
			break
		}
	}
	return m
}

// knownAnthropicModels are listed newest first, as the API lists them.
var knownAnthropicModels = []anthropicModel{
	newAnthropicModel("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"),
	newAnthropicModel("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
	newAnthropicModel("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
	newAnthropicModel("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z"),
	newAnthropicModel("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
}

func anthropicModelInfo(id string) anthropicModel {
	for _, m := range knownAnthropicModels {
		if m.ID == id {
			return m
		}
	}
	return newAnthropicModel(id, id, "2025-01-01T00:00:00Z")
}

func serveAnthropicModels(_ context.Context, c *Call, out wire.Sink) error {
	var all []anthropicModel
	seen := map[string]bool{}
	if len(c.Config.AllowedModels) == 0 {
		for _, m := range knownAnthropicModels {
			all, seen[m.ID] = append(all, m), true
		}
	}
	for _, n := range c.Config.listedModels(isAnthropicModel) {
		if !seen[n] {
			all = append(all, anthropicModelInfo(n))
		}
	}
	page, hasMore, e := paginate(all, c.Query)
	if e != nil {
		return c.fail(out, anthropic, e)
	}
	list := struct {
		Data    []anthropicModel `json:"data"`
		HasMore bool             `json:"has_more"`
		FirstID *string          `json:"first_id"`
		LastID  *string          `json:"last_id"`
	}{Data: page, HasMore: hasMore}
	if len(page) > 0 {
		list.FirstID, list.LastID = &page[0].ID, &page[len(page)-1].ID
	}
	return sendJSON(out, func(n int) wire.Event { return anthropicHead(c, wire.NotStream, n) }, &list)
}

// paginate applies Anthropic's list parameters: limit (1..1000, default
// 20) and one of after_id or before_id.
func paginate(all []anthropicModel, rawQuery string) ([]anthropicModel, bool, *wire.APIError) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, false, badRequest("", "", "Invalid query string")
	}
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, false, fieldInvalid("limit", "Input should be greater than or equal to 1 and less than or equal to 1000")
		}
		limit = n
	}
	index := func(id string) int {
		for i, m := range all {
			if m.ID == id {
				return i
			}
		}
		return -1
	}
	if before := q.Get("before_id"); before != "" {
		end := max(index(before), 0)
		start := max(0, end-limit)
		return all[start:end], start > 0, nil
	}
	start := 0
	if after := q.Get("after_id"); after != "" {
		if start = index(after) + 1; start == 0 {
			start = len(all)
		}
	}
	end := min(len(all), start+limit)
	return all[start:end], end < len(all), nil
}

func serveAnthropicModel(_ context.Context, c *Call, out wire.Sink, id string) error {
	if !c.Config.allowed(id) {
		return c.fail(out, anthropic, &wire.APIError{Status: http.StatusNotFound, Type: "not_found_error", Message: "model: " + id})
	}
	m := anthropicModelInfo(id)
	return sendJSON(out, func(n int) wire.Event { return anthropicHead(c, wire.NotStream, n) }, &m)
}
