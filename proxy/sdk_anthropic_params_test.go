package proxy

// The Messages API through the official Anthropic Go SDK: extended
// thinking, the limits that end an answer, token counting, and the
// parameters the current SDK sends for current models.

import (
	"fmt"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/llm-simulator/llm-simulator/simulate"
)

func TestSDKAnthropicCurrentParams(t *testing.T) {
	// The SDK offers thinking.type "adaptive" and, for claude-opus-4-6,
	// warns that "enabled" is deprecated in its favour (thinking_warn.go),
	// so a request with it must be served.
	t.Run("adaptive thinking", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, nil))
		p := sdkMessage("Think as much as you need.")
		p.Model = "claude-opus-4-6"
		p.MaxTokens = 2048
		p.Thinking = anthropic.ThinkingConfigParamUnion{OfAdaptive: &anthropic.ThinkingConfigAdaptiveParam{}}
		m, err := client.Messages.New(t.Context(), p)
		if err != nil {
			t.Fatalf("thinking.type adaptive refused: %v", err)
		}
		if m.StopReason != anthropic.StopReasonEndTurn || len(m.Content) == 0 || m.Content[len(m.Content)-1].Type != "text" {
			t.Errorf("adaptive thinking answered %s", m.RawJSON())
		}
	})
	// output_config.format asks for JSON following a schema (structured
	// outputs); the answer's text must follow it.
	t.Run("output_config json_schema", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, nil))
		p := sdkMessage("Describe a person.")
		p.OutputConfig = anthropic.OutputConfigParam{Format: anthropic.JSONOutputFormatParam{Schema: sdkPersonSchema}}
		m, err := client.Messages.New(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Content) != 1 || m.Content[0].Type != "text" {
			t.Fatalf("content %s; want one text block", m.RawJSON())
		}
		sdkValidate(t, sdkSchema(t, sdkPersonSchema), "output_config json_schema text", m.Content[0].Text)
	})
}

func TestSDKAnthropicThinking(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			client := sdkAnthropicClient(sdkServer(t, nil))
			var m anthropic.Message
			if stream {
				m = sdkMessageStream(t, client, sdkMessageParams("thinking")())
			} else {
				r, err := client.Messages.New(t.Context(), sdkMessageParams("thinking")())
				if err != nil {
					t.Fatal(err)
				}
				m = *r
			}
			if len(m.Content) != 2 || m.Content[0].Type != "thinking" || m.Content[1].Type != "text" {
				t.Fatalf("content %s; want a thinking block, then text", m.RawJSON())
			}
			th := m.Content[0]
			if th.Thinking == "" || th.Signature == "" {
				t.Errorf("thinking %q with signature %q; want both", th.Thinking, th.Signature)
			}
			if m.Content[1].Text == "" {
				t.Error("empty text after thinking")
			}
			// Thinking is billed as output.
			if m.Usage.OutputTokens <= int64(simulate.CountTokens(m.Content[1].Text)) {
				t.Errorf("output_tokens %d do not include the thinking", m.Usage.OutputTokens)
			}
		})
	}
}

func TestSDKAnthropicLimits(t *testing.T) {
	for _, tc := range sdkMessageCases {
		if tc.name != "stop_sequences" && tc.name != "max_tokens" {
			continue
		}
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", tc.name, stream), func(t *testing.T) {
				m := sdkSend(t, sdkAnthropicClient(sdkServer(t, tc.edit)), tc.params(), stream)
				if m.StopReason != tc.stop {
					t.Errorf("stop_reason %q, want %q", m.StopReason, tc.stop)
				}
				switch tc.name {
				case "stop_sequences":
					if m.StopSequence != " gamma" || len(m.Content) != 1 || m.Content[0].Text != "alpha beta" {
						t.Errorf("stop_sequence %q, content %s; want %q and text %q", m.StopSequence, m.RawJSON(), " gamma", "alpha beta")
					}
				case "max_tokens":
					if m.Usage.OutputTokens != 3 {
						t.Errorf("output_tokens %d, want 3", m.Usage.OutputTokens)
					}
				}
			})
		}
	}
}

func TestSDKAnthropicCountTokens(t *testing.T) {
	client := sdkAnthropicClient(sdkServer(t, nil))
	system := []anthropic.TextBlockParam{{Text: "You are terse."}}
	msgs := []anthropic.MessageParam{
		anthropic.NewUserMessage(anthropic.NewTextBlock("Hello there, how are you today?")),
		anthropic.NewAssistantMessage(anthropic.NewTextBlock("Fine.")),
		anthropic.NewUserMessage(anthropic.NewTextBlock("Tell me more.")),
	}
	count, err := client.Messages.CountTokens(t.Context(), anthropic.MessageCountTokensParams{Model: sdkClaude, Messages: msgs,
		System: anthropic.MessageCountTokensParamsSystemUnion{OfTextBlockArray: system}})
	if err != nil {
		t.Fatal(err)
	}
	sdkPresent(t, "count_tokens", map[string]sdkField{"input_tokens": count.JSON.InputTokens})
	m, err := client.Messages.New(t.Context(), anthropic.MessageNewParams{Model: sdkClaude, MaxTokens: 64, Messages: msgs, System: system})
	if err != nil {
		t.Fatal(err)
	}
	if count.InputTokens == 0 || count.InputTokens != m.Usage.InputTokens {
		t.Errorf("count_tokens %d, the message's input_tokens %d", count.InputTokens, m.Usage.InputTokens)
	}
}
