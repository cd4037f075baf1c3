package proxy

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"google.golang.org/genai"
)

// The official SDKs see each provider's documented limits refused as the
// provider refuses them: the error type, param, code and message their
// callers branch on.
func TestSDKsSeeTheProvidersLimits(t *testing.T) {
	srv := sdkServer(t, nil)
	client := sdkOpenAIClient(srv)
	ctx := t.Context()
	hi := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}
	inputs := func(n int, each string) openai.EmbeddingNewParamsInputUnion {
		in := make([]string, n)
		for i := range in {
			in[i] = each
		}
		return openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: in}
	}
	cases := []struct {
		name                    string
		call                    func() error
		typ, param, code, start string
	}{
		{"max_tokens of 1e9", func() error {
			_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-4o", Messages: hi, MaxTokens: openai.Int(1e9)})
			return err
		}, "invalid_request_error", "max_tokens", "", "max_tokens is too large: 1000000000. This model supports at most 16384 completion tokens"},
		{"max_completion_tokens over gpt-4.1's", func() error {
			_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-4.1", Messages: hi, MaxCompletionTokens: openai.Int(40000)})
			return err
		}, "invalid_request_error", "max_completion_tokens", "", "max_completion_tokens is too large: 40000. This model supports at most 32768"},
		{"n over 128", func() error {
			_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-4o", Messages: hi, N: openai.Int(129)})
			return err
		}, "invalid_request_error", "n", "integer_above_max_value", "Invalid 'n': integer above maximum value."},
		{"2049 embedding inputs", func() error {
			_, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small", Dimensions: openai.Int(8), Input: inputs(2049, "a")})
			return err
		}, "invalid_request_error", "input", "invalid_value", "'$.input' is invalid."},
		{"300001 embedding tokens", func() error {
			_, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small", Dimensions: openai.Int(8),
				Input: inputs(3, strings.TrimSuffix(strings.Repeat("a ", 100001), " "))})
			return err
		}, "max_tokens_per_request", "", "max_tokens_per_request", "Requested 300003 tokens, max 300000 tokens per request"},
		{"embeddings over the response budget", func() error {
			_, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-large", Input: inputs(2048, "a")})
			return err
		}, "invalid_request_error", "", "context_length_exceeded", "This request asks for an answer of about "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := asOpenAIError(t, c.call())
			if e.StatusCode != http.StatusBadRequest || e.Type != c.typ || e.Param != c.param || e.Code != c.code || !strings.HasPrefix(e.Message, c.start) {
				t.Fatalf("%d %q %q %q %q", e.StatusCode, e.Type, e.Param, e.Code, e.Message)
			}
		})
	}

	t.Run("anthropic max_tokens", func(t *testing.T) {
		ac := sdkAnthropicClient(srv)
		hi := []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))}
		_, err := ac.Messages.New(ctx, anthropic.MessageNewParams{Model: "claude-3-5-haiku-20241022", MaxTokens: 9000, Messages: hi})
		checkAnthropicTooMany(t, err, "max_tokens: 9000 > 8192, which is the maximum allowed number of output tokens for claude-3-5-haiku-20241022")
		// The SDK streams what may take long: the refusal comes as the
		// stream's error.
		stream := ac.Messages.NewStreaming(ctx, anthropic.MessageNewParams{Model: "claude-sonnet-4-5-20250929", MaxTokens: 1e9, Messages: hi})
		for stream.Next() {
		}
		checkAnthropicTooMany(t, stream.Err(), "max_tokens: 1000000000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929")
	})

	t.Run("gemini batch of 101", func(t *testing.T) {
		contents := make([]*genai.Content, 101)
		for i := range contents {
			contents[i] = genai.NewContentFromText("a", genai.RoleUser)
		}
		_, err := geminiSDK(t, srv.URL, srv.Client(), nil).Models.EmbedContent(ctx, "gemini-embedding-001", contents, nil)
		e := asGeminiError(t, err)
		if e.Code != 400 || e.Status != "INVALID_ARGUMENT" || e.Message != "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n" {
			t.Fatalf("%d %s %q", e.Code, e.Status, e.Message)
		}
	})

	t.Run("gemini caps maxOutputTokens", func(t *testing.T) {
		resp, err := geminiSDK(t, srv.URL, srv.Client(), nil).Models.GenerateContent(ctx, "gemini-2.0-flash", genai.Text("hi"),
			&genai.GenerateContentConfig{MaxOutputTokens: 2e9})
		if err != nil || resp.Text() == "" {
			t.Fatalf("maxOutputTokens over the model's limit is capped, not refused: %v", err)
		}
	})
}

// An x-llmsim-scope the SDKs send (as a default header) is refused past
// 256 bytes with the provider's 400, and served up to it.
func TestSDKsSeeLongScopesRefused(t *testing.T) {
	srv := sdkServer(t, nil)
	for _, n := range []int{256, 257} {
		scope := strings.Repeat("t", n)
		c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test"), option.WithMaxRetries(0),
			option.WithHTTPClient(srv.Client()), option.WithHeader("X-Llmsim-Scope", scope))
		_, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: "gpt-4o",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
		if n == 256 {
			if err != nil {
				t.Fatalf("a 256-byte scope: %v", err)
			}
			continue
		}
		if e := asOpenAIError(t, err); e.StatusCode != 400 || e.Type != "invalid_request_error" || !strings.Contains(e.Message, "x-llmsim-scope") {
			t.Fatalf("a 257-byte scope: %d %q %q", e.StatusCode, e.Type, e.Message)
		}
		a := anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL(srv.URL), aoption.WithAPIKey("test"),
			aoption.WithMaxRetries(0), aoption.WithHTTPClient(srv.Client()), aoption.WithHeader("X-Llmsim-Scope", scope))
		_, err = a.Messages.New(t.Context(), anthropic.MessageNewParams{Model: "claude-sonnet-4-5", MaxTokens: 16,
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))}})
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Type() != "invalid_request_error" {
			t.Fatalf("anthropic, a 257-byte scope: %v", err)
		}
	}
}

func checkAnthropicTooMany(t *testing.T, err error, msg string) {
	t.Helper()
	var e *anthropic.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || e.Type() != "invalid_request_error" || !strings.Contains(e.RawJSON(), msg) {
		t.Fatalf("%v, want a 400 invalid_request_error saying %q", err, msg)
	}
}
