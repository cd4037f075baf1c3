package proxy

// Models, errors and request ids through the official Anthropic Go SDK.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// The SDK lists models with GET /v1/models and anthropic-version, a path
// OpenAI shares: the router must send it to the Anthropic emulator.
func TestSDKAnthropicModels(t *testing.T) {
	check := func(t *testing.T, m anthropic.ModelInfo) {
		t.Helper()
		sdkPresent(t, "model "+m.ID, map[string]sdkField{"id": m.JSON.ID, "type": m.JSON.Type,
			"display_name": m.JSON.DisplayName, "created_at": m.JSON.CreatedAt})
		if m.Type != "model" || m.CreatedAt.IsZero() {
			t.Errorf("model %s: type %q created_at %v", m.ID, m.Type, m.CreatedAt)
		}
		if m.JSON.ExtraFields["object"].Raw() != "" || m.JSON.ExtraFields["owned_by"].Raw() != "" {
			t.Errorf("model %s is in OpenAI's shape: %s", m.ID, m.RawJSON())
		}
	}
	t.Run("list and get", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, nil))
		page, err := client.Models.List(t.Context(), anthropic.ModelListParams{})
		if err != nil {
			t.Fatal(err)
		}
		sdkPresent(t, "model list", map[string]sdkField{"data": page.JSON.Data, "has_more": page.JSON.HasMore,
			"first_id": page.JSON.FirstID, "last_id": page.JSON.LastID})
		if len(page.Data) == 0 {
			t.Fatal("no models")
		}
		var ids []string
		for _, m := range page.Data {
			check(t, m)
			ids = append(ids, m.ID)
			if !strings.HasPrefix(m.ID, "claude") {
				t.Errorf("Anthropic's list shows %s", m.ID)
			}
		}
		if page.FirstID != ids[0] || page.LastID != ids[len(ids)-1] || page.HasMore {
			t.Errorf("first_id %q last_id %q has_more %v for %v", page.FirstID, page.LastID, page.HasMore, ids)
		}
		m, err := client.Models.Get(t.Context(), ids[0], anthropic.ModelGetParams{})
		if err != nil {
			t.Fatal(err)
		}
		check(t, *m)
		if m.ID != ids[0] || m.DisplayName != page.Data[0].DisplayName {
			t.Errorf("get %s: %s %q, unlike the list", ids[0], m.ID, m.DisplayName)
		}
	})
	// The API pages its list: limit caps a page, has_more and last_id lead
	// to the next one, which after_id asks for.
	t.Run("limit pages", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, nil))
		all, err := client.Models.List(t.Context(), anthropic.ModelListParams{})
		if err != nil {
			t.Fatal(err)
		}
		page, err := client.Models.List(t.Context(), anthropic.ModelListParams{Limit: anthropic.Int(2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Data) != 2 || !page.HasMore || page.LastID != page.Data[len(page.Data)-1].ID {
			t.Errorf("limit 2 of %d models: %d models, has_more %v, last_id %q", len(all.Data), len(page.Data), page.HasMore, page.LastID)
		}
		var ids []string
		iter := client.Models.ListAutoPaging(t.Context(), anthropic.ModelListParams{Limit: anthropic.Int(2)})
		for iter.Next() {
			ids = append(ids, iter.Current().ID)
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range all.Data {
			want = append(want, m.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("paging by 2 gave %v, want %v", ids, want)
		}
	})
	t.Run("allow-list", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, func(c *simulate.Config) {
			c.AllowedModels = []string{"gpt-4o", "claude-sonnet-4-5", "claude-opus-*"}
		}))
		page, err := client.Models.List(t.Context(), anthropic.ModelListParams{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range page.Data {
			check(t, m)
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, []string{"claude-sonnet-4-5"}) {
			t.Errorf("list %v, want the allow-list's exact Claude names", ids)
		}
	})
}

func TestSDKAnthropicErrors(t *testing.T) {
	unknown := sdkMessage("Hello")
	unknown.Model = "claude-unknown"
	cases := []struct {
		name string
		call func(ctx context.Context, c anthropic.Client) error
	}{
		{"messages", func(ctx context.Context, c anthropic.Client) error {
			_, err := c.Messages.New(ctx, unknown)
			return err
		}},
		{"messages stream", func(ctx context.Context, c anthropic.Client) error {
			s := c.Messages.NewStreaming(ctx, unknown)
			defer s.Close()
			for s.Next() {
			}
			return s.Err()
		}},
		{"count_tokens", func(ctx context.Context, c anthropic.Client) error {
			_, err := c.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: "claude-unknown", Messages: unknown.Messages})
			return err
		}},
		{"model get", func(ctx context.Context, c anthropic.Client) error {
			_, err := c.Models.Get(ctx, "claude-unknown", anthropic.ModelGetParams{})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context(), sdkAnthropicClient(sdkServer(t, sdkOnlyGPT4o)))
			var apiErr *anthropic.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T), want *anthropic.Error", err, err)
			}
			if apiErr.StatusCode != http.StatusNotFound || apiErr.Type() != "not_found_error" {
				t.Errorf("status %d type %q, want 404 not_found_error", apiErr.StatusCode, apiErr.Type())
			}
			body := sdkJSON(t, "error body", []byte(apiErr.RawJSON()))
			inner, _ := body["error"].(map[string]any)
			if body["type"] != "error" || inner["type"] != "not_found_error" || inner["message"] == "" || inner["message"] == nil {
				t.Errorf("error body %s; want {type: error, error: {type: not_found_error, message}}", apiErr.RawJSON())
			}
			if apiErr.RequestID == "" {
				t.Error("error response without request-id")
			}
			if id, ok := body["request_id"]; ok && id != apiErr.RequestID {
				t.Errorf("body request_id %v, header %q", id, apiErr.RequestID)
			}
		})
	}
}

// Every Anthropic response, streamed or not, carries request-id.
func TestSDKAnthropicRequestID(t *testing.T) {
	cases := []struct {
		name string
		call func(ctx context.Context, c anthropic.Client, into **http.Response) error
	}{
		{"messages", func(ctx context.Context, c anthropic.Client, into **http.Response) error {
			_, err := c.Messages.New(ctx, sdkMessage("hi"), option.WithResponseInto(into))
			return err
		}},
		{"messages stream", func(ctx context.Context, c anthropic.Client, into **http.Response) error {
			s := c.Messages.NewStreaming(ctx, sdkMessage("hi"), option.WithResponseInto(into))
			defer s.Close()
			for s.Next() {
			}
			return s.Err()
		}},
		{"count_tokens", func(ctx context.Context, c anthropic.Client, into **http.Response) error {
			_, err := c.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: sdkClaude,
				Messages: sdkMessage("hi").Messages}, option.WithResponseInto(into))
			return err
		}},
		{"models", func(ctx context.Context, c anthropic.Client, into **http.Response) error {
			_, err := c.Models.List(ctx, anthropic.ModelListParams{}, option.WithResponseInto(into))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			if err := tc.call(t.Context(), sdkAnthropicClient(sdkServer(t, nil)), &resp); err != nil {
				t.Fatal(err)
			}
			if resp == nil || resp.Header.Get("Request-Id") == "" {
				t.Fatal("no request-id header")
			}
		})
	}
}
