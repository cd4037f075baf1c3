package proxy

// Chat completions through the official OpenAI Go SDK: tool calls,
// structured output and the limits that end an answer.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
)

func TestSDKOpenAIChatToolArguments(t *testing.T) {
	for _, tc := range sdkChatCases {
		if !strings.HasPrefix(tc.name, "tool_choice") {
			continue
		}
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", tc.name, stream), func(t *testing.T) {
				client := sdkOpenAIClient(sdkServer(t, nil))
				var resp openai.ChatCompletion
				if stream {
					resp, _ = sdkChatStream(t, client, tc.params())
				} else {
					r, err := client.Chat.Completions.New(t.Context(), tc.params())
					if err != nil {
						t.Fatal(err)
					}
					resp = *r
				}
				ch := resp.Choices[0]
				if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) == 0 {
					t.Fatalf("finish_reason %q with %d tool calls; want tool_calls", ch.FinishReason, len(ch.Message.ToolCalls))
				}
				for _, c := range ch.Message.ToolCalls {
					schema, ok := sdkChatSchemas[c.Function.Name]
					if !ok {
						t.Fatalf("call to unknown function %q", c.Function.Name)
					}
					if tc.name == "tool_choice named" && c.Function.Name != "get_time" {
						t.Errorf("named tool_choice get_time answered with %q", c.Function.Name)
					}
					sdkValidate(t, sdkSchema(t, schema), c.Function.Name+" arguments", c.Function.Arguments)
				}
			})
		}
	}
}

// A conversation whose last message is a tool result is answered in
// words, even by a model that always calls tools when it may.
func TestSDKOpenAIChatToolResultGetsText(t *testing.T) {
	always := func(c *simulate.Config) { c.Default.ToolCallProbability = 1 }
	client := sdkOpenAIClient(sdkServer(t, always))
	params := sdkChat("Weather in Paris?")
	params.Tools = sdkChatTools()
	first, err := client.Chat.Completions.New(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	calls := first.Choices[0].Message.ToolCalls
	if len(calls) == 0 {
		t.Fatalf("tool_choice auto with ToolCallProbability 1 gave no tool call: %s", first.RawJSON())
	}
	params.Messages = append(params.Messages, first.Choices[0].Message.ToParam(),
		openai.ToolMessage(`{"temperature": 21}`, calls[0].ID))
	for _, stream := range []bool{false, true} {
		var second openai.ChatCompletion
		if stream {
			second, _ = sdkChatStream(t, client, params)
		} else {
			r, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatal(err)
			}
			second = *r
		}
		ch := second.Choices[0]
		if ch.FinishReason != "stop" || ch.Message.Content == "" || len(ch.Message.ToolCalls) != 0 {
			t.Errorf("stream=%v: after a tool result got finish_reason %q, content %q, %d tool calls; want words",
				stream, ch.FinishReason, ch.Message.Content, len(ch.Message.ToolCalls))
		}
	}
}

func TestSDKOpenAIChatStructuredOutput(t *testing.T) {
	client := sdkOpenAIClient(sdkServer(t, nil))
	p := sdkChatParams("json_schema")()
	resp, err := client.Chat.Completions.New(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	sdkValidate(t, sdkSchema(t, sdkPersonSchema), "json_schema content", resp.Choices[0].Message.Content)

	p = sdkChat("Answer in JSON.")
	p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &openai.ResponseFormatJSONObjectParam{}}
	resp, err = client.Chat.Completions.New(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &obj); err != nil {
		t.Errorf("json_object content is not a JSON object: %v: %q", err, resp.Choices[0].Message.Content)
	}
}

func TestSDKOpenAIChatLimits(t *testing.T) {
	cases := []struct {
		name       string
		edit       func(*simulate.Config)
		params     func() openai.ChatCompletionNewParams
		finish     string
		content    string // "" means not checked
		completion int64  // 0 means not checked
		choices    int
	}{
		{"max_tokens", nil, sdkChatParams("max_tokens"), "length", "", 3, 1},
		{"max_completion_tokens", nil, func() openai.ChatCompletionNewParams {
			p := sdkChat("Be brief.")
			p.MaxCompletionTokens = openai.Int(3)
			return p
		}, "length", "", 3, 1},
		{"stop", sdkFixedText("alpha beta gamma delta"), sdkChatParams("stop"), "stop", "alpha beta", 0, 1},
		{"stop array", sdkFixedText("alpha beta gamma delta"), func() openai.ChatCompletionNewParams {
			p := sdkChat("Count.")
			p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: []string{" delta", " gamma"}}
			return p
		}, "stop", "alpha beta", 0, 1},
		{"n=3", nil, sdkChatParams("n=3"), "stop", "", 0, 3},
	}
	for _, tc := range cases {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", tc.name, stream), func(t *testing.T) {
				client := sdkOpenAIClient(sdkServer(t, tc.edit))
				var resp openai.ChatCompletion
				if stream {
					p := tc.params()
					p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
					resp, _ = sdkChatStream(t, client, p)
				} else {
					r, err := client.Chat.Completions.New(t.Context(), tc.params())
					if err != nil {
						t.Fatal(err)
					}
					resp = *r
				}
				if len(resp.Choices) != tc.choices {
					t.Fatalf("stream=%v: %d choices, want %d", stream, len(resp.Choices), tc.choices)
				}
				seen := map[int64]bool{}
				for i, ch := range resp.Choices {
					if ch.Index != int64(i) || seen[ch.Index] {
						t.Errorf("stream=%v: choice %d has index %d", stream, i, ch.Index)
					}
					seen[ch.Index] = true
					if ch.FinishReason != tc.finish {
						t.Errorf("stream=%v: finish_reason %q, want %q", stream, ch.FinishReason, tc.finish)
					}
					if tc.content != "" && ch.Message.Content != tc.content {
						t.Errorf("stream=%v: content %q, want %q", stream, ch.Message.Content, tc.content)
					}
				}
				if tc.completion != 0 && resp.Usage.CompletionTokens != tc.completion {
					t.Errorf("stream=%v: completion_tokens %d, want %d", stream, resp.Usage.CompletionTokens, tc.completion)
				}
			})
		}
	}
}

// tool_choice none is answered in words even by a model that always calls
// tools when it may.
func TestSDKOpenAIChatToolChoiceNone(t *testing.T) {
	always := func(c *simulate.Config) { c.Default.ToolCallProbability = 1 }
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, always))
			p := sdkChat("Weather in Paris?")
			p.Tools = sdkChatTools()
			p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("none")}
			var resp openai.ChatCompletion
			if stream {
				resp, _ = sdkChatStream(t, client, p)
			} else {
				r, err := client.Chat.Completions.New(t.Context(), p)
				if err != nil {
					t.Fatal(err)
				}
				resp = *r
			}
			ch := resp.Choices[0]
			if ch.FinishReason != "stop" || ch.Message.Content == "" || len(ch.Message.ToolCalls) != 0 {
				t.Errorf("tool_choice none: finish_reason %q, content %q, %d tool calls", ch.FinishReason, ch.Message.Content, len(ch.Message.ToolCalls))
			}
		})
	}
}
