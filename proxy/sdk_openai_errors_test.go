package proxy

// Errors and request ids through the official OpenAI Go SDK.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// sdkOnlyGPT4o serves gpt-4o alone, so any other model is unknown.
func sdkOnlyGPT4o(c *simulate.Config) { c.AllowedModels = []string{"gpt-4o"} }

func TestSDKOpenAIErrors(t *testing.T) {
	type call func(ctx context.Context, c openai.Client) error
	unknownChat := sdkChat("Hello")
	unknownChat.Model = "gpt-unknown"
	tooMany := sdkChat("Hello")
	tooMany.N = openai.Int(200)
	cases := []struct {
		name                string
		call                call
		status              int
		typ, code, param    string
		nullCode, nullParam bool
	}{
		{"chat unknown model", func(ctx context.Context, c openai.Client) error {
			_, err := c.Chat.Completions.New(ctx, unknownChat)
			return err
		}, 404, "invalid_request_error", "model_not_found", "", false, true},
		{"chat stream unknown model", func(ctx context.Context, c openai.Client) error {
			s := c.Chat.Completions.NewStreaming(ctx, unknownChat)
			defer s.Close()
			for s.Next() {
			}
			return s.Err()
		}, 404, "invalid_request_error", "model_not_found", "", false, true},
		{"chat n=200", func(ctx context.Context, c openai.Client) error {
			_, err := c.Chat.Completions.New(ctx, tooMany)
			return err
		}, 400, "invalid_request_error", "integer_above_max_value", "n", false, false},
		{"completions unknown model", func(ctx context.Context, c openai.Client) error {
			p := sdkLegacy("Hello")
			p.Model = "davinci-002"
			_, err := c.Completions.New(ctx, p)
			return err
		}, 404, "invalid_request_error", "model_not_found", "", false, true},
		{"embeddings unknown model", func(ctx context.Context, c openai.Client) error {
			_, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small",
				Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}})
			return err
		}, 404, "invalid_request_error", "model_not_found", "", false, true},
		{"responses unknown model", func(ctx context.Context, c openai.Client) error {
			_, err := c.Responses.New(ctx, responses.ResponseNewParams{Model: "gpt-unknown",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("x")}})
			return err
		}, 404, "invalid_request_error", "model_not_found", "", false, true},
		{"model get unknown", func(ctx context.Context, c openai.Client) error {
			_, err := c.Models.Get(ctx, "gpt-unknown")
			return err
		}, 404, "invalid_request_error", "model_not_found", "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context(), sdkOpenAIClient(sdkServer(t, sdkOnlyGPT4o)))
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T), want *openai.Error", err, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Type != tc.typ || apiErr.Code != tc.code || apiErr.Param != tc.param {
				t.Errorf("got %d type %q code %q param %q; want %d %q %q %q", apiErr.StatusCode, apiErr.Type, apiErr.Code,
					apiErr.Param, tc.status, tc.typ, tc.code, tc.param)
			}
			sdkPresent(t, "error", map[string]sdkField{"message": apiErr.JSON.Message, "type": apiErr.JSON.Type})
			if apiErr.Message == "" {
				t.Error("empty error message")
			}
			// param and code are always sent, null when they do not apply.
			for name, f := range map[string]sdkField{"param": apiErr.JSON.Param, "code": apiErr.JSON.Code} {
				if f.Raw() == "" {
					t.Errorf("error: %q missing (null when it does not apply)", name)
				}
			}
			if tc.nullParam {
				sdkNull(t, "error", map[string]sdkField{"param": apiErr.JSON.Param})
			}
			if apiErr.Response == nil || apiErr.Response.Header.Get("X-Request-Id") == "" {
				t.Error("error response without x-request-id")
			}
			if apiErr.Response != nil {
				body, _ := io.ReadAll(apiErr.Response.Body)
				sdkOpenAPI(t, "ErrorResponse", "error body", body)
			}
		})
	}
}

// Every OpenAI response, streamed or not, carries x-request-id.
func TestSDKOpenAIRequestID(t *testing.T) {
	cases := []struct {
		name string
		call func(ctx context.Context, c openai.Client, into **http.Response) error
	}{
		{"chat", func(ctx context.Context, c openai.Client, into **http.Response) error {
			_, err := c.Chat.Completions.New(ctx, sdkChat("hi"), option.WithResponseInto(into))
			return err
		}},
		{"chat stream", func(ctx context.Context, c openai.Client, into **http.Response) error {
			s := c.Chat.Completions.NewStreaming(ctx, sdkChat("hi"), option.WithResponseInto(into))
			defer s.Close()
			for s.Next() {
			}
			return s.Err()
		}},
		{"completions", func(ctx context.Context, c openai.Client, into **http.Response) error {
			_, err := c.Completions.New(ctx, sdkLegacy("hi"), option.WithResponseInto(into))
			return err
		}},
		{"embeddings", func(ctx context.Context, c openai.Client, into **http.Response) error {
			_, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small",
				Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}}, option.WithResponseInto(into))
			return err
		}},
		{"responses stream", func(ctx context.Context, c openai.Client, into **http.Response) error {
			s := c.Responses.NewStreaming(ctx, sdkResponse("hi"), option.WithResponseInto(into))
			defer s.Close()
			for s.Next() {
			}
			return s.Err()
		}},
		{"models", func(ctx context.Context, c openai.Client, into **http.Response) error {
			_, err := c.Models.List(ctx, option.WithResponseInto(into))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			if err := tc.call(t.Context(), sdkOpenAIClient(sdkServer(t, nil)), &resp); err != nil {
				t.Fatal(err)
			}
			if resp == nil || resp.Header.Get("X-Request-Id") == "" {
				t.Fatal("no x-request-id header")
			}
		})
	}
}
