package proxy

// The Messages API through the official Anthropic Go SDK.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/llm-simulator/llm-simulator/simulate"
)

const sdkClaude = "claude-sonnet-4-5"

// sdkMessage is a one-message Messages request.
func sdkMessage(user string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: sdkClaude, MaxTokens: 1024,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(user))}}
}

// sdkAnthropicTool turns one of the shared JSON Schemas into a tool.
func sdkAnthropicTool(name string, schema map[string]any) anthropic.ToolUnionParam {
	var required []string
	for _, r := range schema["required"].([]any) {
		required = append(required, r.(string))
	}
	return anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: name, InputSchema: anthropic.ToolInputSchemaParam{
		Properties: schema["properties"], Required: required,
		ExtraFields: map[string]any{"additionalProperties": schema["additionalProperties"]}}}}
}

func sdkAnthropicTools() []anthropic.ToolUnionParam {
	return []anthropic.ToolUnionParam{sdkAnthropicTool("get_weather", sdkWeatherSchema), sdkAnthropicTool("get_time", sdkTimeSchema)}
}

var sdkMessageCases = []struct {
	name   string
	edit   func(*simulate.Config)
	params func() anthropic.MessageNewParams
	stop   anthropic.StopReason
}{
	{"text", nil, func() anthropic.MessageNewParams { return sdkMessage("Tell me a story.") }, anthropic.StopReasonEndTurn},
	{"tool_choice any", nil, func() anthropic.MessageNewParams {
		p := sdkMessage("Weather in Paris?")
		p.Tools = sdkAnthropicTools()
		p.ToolChoice = anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{}}
		return p
	}, anthropic.StopReasonToolUse},
	{"tool_choice tool", nil, func() anthropic.MessageNewParams {
		p := sdkMessage("Time in Tokyo?")
		p.Tools = sdkAnthropicTools()
		p.ToolChoice = anthropic.ToolChoiceParamOfTool("get_time")
		return p
	}, anthropic.StopReasonToolUse},
	{"thinking", nil, func() anthropic.MessageNewParams {
		p := sdkMessage("Think first.")
		p.MaxTokens = 2048
		p.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
		return p
	}, anthropic.StopReasonEndTurn},
	{"thinking and tool", nil, func() anthropic.MessageNewParams {
		p := sdkMessage("Think, then call.")
		p.MaxTokens = 2048
		p.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
		p.Tools = sdkAnthropicTools()
		p.ToolChoice = anthropic.ToolChoiceParamOfTool("get_weather")
		return p
	}, anthropic.StopReasonToolUse},
	{"stop_sequences", sdkFixedText("alpha beta gamma delta"), func() anthropic.MessageNewParams {
		p := sdkMessage("Count.")
		p.StopSequences = []string{" gamma"}
		return p
	}, anthropic.StopReasonStopSequence},
	{"max_tokens", nil, func() anthropic.MessageNewParams {
		p := sdkMessage("Be brief.")
		p.MaxTokens = 3
		return p
	}, anthropic.StopReasonMaxTokens},
}

// sdkMessageParams returns the params of the sdkMessageCases case named
// name.
func sdkMessageParams(name string) func() anthropic.MessageNewParams {
	for _, c := range sdkMessageCases {
		if c.name == name {
			return c.params
		}
	}
	panic("no messages case " + name)
}

// sdkMessageStream streams params and returns the message the SDK's
// Accumulate builds from the events.
func sdkMessageStream(t *testing.T, client anthropic.Client, params anthropic.MessageNewParams) anthropic.Message {
	t.Helper()
	stream := client.Messages.NewStreaming(t.Context(), params)
	defer stream.Close()
	var msg anthropic.Message
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatalf("accumulate %s: %v", stream.Current().Type, err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	return msg
}

// sdkSend sends params, streamed (and accumulated) or not.
func sdkSend(t *testing.T, client anthropic.Client, params anthropic.MessageNewParams, stream bool) anthropic.Message {
	t.Helper()
	if stream {
		return sdkMessageStream(t, client, params)
	}
	r, err := client.Messages.New(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	return *r
}

// sdkCompareMessage fails where the accumulated stream differs from the
// unstreamed message.
func sdkCompareMessage(t *testing.T, want *anthropic.Message, got anthropic.Message) {
	t.Helper()
	eq := func(field string, w, g any) {
		t.Helper()
		if w != g {
			t.Errorf("%s: unstreamed %v, streamed %v", field, w, g)
		}
	}
	eq("id", want.ID, got.ID)
	eq("type", string(want.Type), string(got.Type))
	eq("role", string(want.Role), string(got.Role))
	eq("model", string(want.Model), string(got.Model))
	eq("stop_reason", want.StopReason, got.StopReason)
	eq("stop_sequence", want.StopSequence, got.StopSequence)
	eq("usage.input_tokens", want.Usage.InputTokens, got.Usage.InputTokens)
	eq("usage.output_tokens", want.Usage.OutputTokens, got.Usage.OutputTokens)
	eq("usage.cache_creation_input_tokens", want.Usage.CacheCreationInputTokens, got.Usage.CacheCreationInputTokens)
	eq("usage.cache_read_input_tokens", want.Usage.CacheReadInputTokens, got.Usage.CacheReadInputTokens)
	eq("usage.service_tier", want.Usage.ServiceTier, got.Usage.ServiceTier)
	if len(want.Content) != len(got.Content) {
		t.Fatalf("content: unstreamed %d blocks, streamed %d", len(want.Content), len(got.Content))
	}
	for i, w := range want.Content {
		g := got.Content[i]
		eq(fmt.Sprintf("block %d type", i), w.Type, g.Type)
		eq(fmt.Sprintf("block %d text", i), w.Text, g.Text)
		eq(fmt.Sprintf("block %d thinking", i), w.Thinking, g.Thinking)
		eq(fmt.Sprintf("block %d signature", i), w.Signature, g.Signature)
		eq(fmt.Sprintf("block %d id", i), w.ID, g.ID)
		eq(fmt.Sprintf("block %d name", i), w.Name, g.Name)
		if w.Type == "tool_use" && !sdkSameJSON(t, string(w.Input), string(g.Input)) {
			t.Errorf("block %d input: unstreamed %s, streamed %s", i, w.Input, g.Input)
		}
	}
}

func TestSDKAnthropicStreamMatchesUnstreamed(t *testing.T) {
	for _, tc := range sdkMessageCases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkAnthropicClient(sdkServer(t, tc.edit))
			want, err := client.Messages.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			if want.StopReason != tc.stop {
				t.Errorf("stop_reason %q, want %q", want.StopReason, tc.stop)
			}
			sdkCompareMessage(t, want, sdkMessageStream(t, client, tc.params()))
		})
	}
}

// sdkCheckMessage checks a message's required fields; final is false for
// the message message_start carries.
func sdkCheckMessage(t *testing.T, what string, m anthropic.Message, final bool) {
	t.Helper()
	sdkPresent(t, what, map[string]sdkField{"id": m.JSON.ID, "type": m.JSON.Type, "role": m.JSON.Role,
		"model": m.JSON.Model, "content": m.JSON.Content, "usage": m.JSON.Usage})
	if m.Type != "message" || m.Role != "assistant" || !strings.HasPrefix(m.ID, "msg_") {
		t.Errorf("%s: type %q role %q id %q", what, m.Type, m.Role, m.ID)
	}
	if final {
		sdkPresent(t, what, map[string]sdkField{"stop_reason": m.JSON.StopReason})
		if m.StopReason == anthropic.StopReasonStopSequence {
			sdkPresent(t, what, map[string]sdkField{"stop_sequence": m.JSON.StopSequence})
		} else {
			sdkNull(t, what, map[string]sdkField{"stop_sequence": m.JSON.StopSequence})
		}
	} else {
		sdkNull(t, what, map[string]sdkField{"stop_reason": m.JSON.StopReason, "stop_sequence": m.JSON.StopSequence})
		if len(m.Content) != 0 {
			t.Errorf("%s: %d content blocks before any was started", what, len(m.Content))
		}
	}
	u := m.Usage
	sdkPresent(t, what+" usage", map[string]sdkField{"input_tokens": u.JSON.InputTokens, "output_tokens": u.JSON.OutputTokens,
		"cache_creation_input_tokens": u.JSON.CacheCreationInputTokens, "cache_read_input_tokens": u.JSON.CacheReadInputTokens,
		"cache_creation": u.JSON.CacheCreation, "service_tier": u.JSON.ServiceTier})
	sdkPresent(t, what+" usage.cache_creation", map[string]sdkField{
		"ephemeral_5m_input_tokens": u.CacheCreation.JSON.Ephemeral5mInputTokens,
		"ephemeral_1h_input_tokens": u.CacheCreation.JSON.Ephemeral1hInputTokens})
	for i, b := range m.Content {
		block := fmt.Sprintf("%s block %d (%s)", what, i, b.Type)
		switch b.Type {
		case "text":
			sdkPresent(t, block, map[string]sdkField{"text": b.JSON.Text})
		case "thinking":
			sdkPresent(t, block, map[string]sdkField{"thinking": b.JSON.Thinking, "signature": b.JSON.Signature})
		case "tool_use":
			sdkPresent(t, block, map[string]sdkField{"id": b.JSON.ID, "name": b.JSON.Name, "input": b.JSON.Input})
		default:
			t.Errorf("%s: unexpected block type", block)
		}
	}
}

func TestSDKAnthropicRequiredFields(t *testing.T) {
	for _, tc := range sdkMessageCases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkAnthropicClient(sdkServer(t, tc.edit))
			m, err := client.Messages.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			sdkCheckMessage(t, "message", *m, true)
			stream := client.Messages.NewStreaming(t.Context(), tc.params())
			defer stream.Close()
			for stream.Next() {
				ev := stream.Current()
				switch ev.Type {
				case "message_start":
					sdkCheckMessage(t, "message_start message", ev.Message, false)
				case "message_delta":
					sdkPresent(t, "message_delta", map[string]sdkField{"delta": ev.JSON.Delta, "usage": ev.JSON.Usage})
					sdkPresent(t, "message_delta delta", map[string]sdkField{"stop_reason": ev.Delta.JSON.StopReason})
					if ev.Delta.JSON.StopSequence.Raw() == "" {
						t.Error("message_delta: stop_sequence missing (null when no stop sequence ended the turn)")
					}
					sdkPresent(t, "message_delta usage", map[string]sdkField{"output_tokens": ev.Usage.JSON.OutputTokens})
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSDKAnthropicToolUse(t *testing.T) {
	schemas := map[string]map[string]any{"get_weather": sdkWeatherSchema, "get_time": sdkTimeSchema}
	for _, tc := range sdkMessageCases {
		if tc.stop != anthropic.StopReasonToolUse {
			continue
		}
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", tc.name, stream), func(t *testing.T) {
				m := sdkSend(t, sdkAnthropicClient(sdkServer(t, tc.edit)), tc.params(), stream)
				var uses int
				for _, b := range m.Content {
					if b.Type != "tool_use" {
						continue
					}
					uses++
					schema, ok := schemas[b.Name]
					if !ok {
						t.Fatalf("tool_use of unknown tool %q", b.Name)
					}
					if !strings.HasPrefix(b.ID, "toolu_") {
						t.Errorf("tool_use id %q", b.ID)
					}
					sdkValidate(t, sdkSchema(t, schema), b.Name+" input", string(b.Input))
				}
				if uses == 0 || m.StopReason != anthropic.StopReasonToolUse {
					t.Errorf("%d tool_use blocks, stop_reason %q", uses, m.StopReason)
				}
			})
		}
	}
	always := func(c *simulate.Config) { c.Default.ToolCallProbability = 1 }
	t.Run("tool_choice none gets text", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, always))
		p := sdkMessage("Weather in Paris?")
		p.Tools = sdkAnthropicTools()
		p.ToolChoice = anthropic.ToolChoiceUnionParam{OfNone: &anthropic.ToolChoiceNoneParam{}}
		m, err := client.Messages.New(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if m.StopReason != anthropic.StopReasonEndTurn || len(m.Content) != 1 || m.Content[0].Type != "text" {
			t.Errorf("tool_choice none got %s; want one text block", m.RawJSON())
		}
	})
	t.Run("tool result gets text", func(t *testing.T) {
		client := sdkAnthropicClient(sdkServer(t, always))
		p := sdkMessage("Weather in Paris?")
		p.Tools = sdkAnthropicTools()
		first, err := client.Messages.New(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		var useID string
		for _, b := range first.Content {
			if b.Type == "tool_use" {
				useID = b.ID
			}
		}
		if useID == "" {
			t.Fatalf("auto with ToolCallProbability 1 gave no tool_use: %s", first.RawJSON())
		}
		p.Messages = append(p.Messages, first.ToParam(),
			anthropic.NewUserMessage(anthropic.NewToolResultBlock(useID, `{"temperature": 21}`, false)))
		for _, stream := range []bool{false, true} {
			var m anthropic.Message
			if stream {
				m = sdkMessageStream(t, client, p)
			} else {
				r, err := client.Messages.New(t.Context(), p)
				if err != nil {
					t.Fatal(err)
				}
				m = *r
			}
			if m.StopReason != anthropic.StopReasonEndTurn || len(m.Content) != 1 || m.Content[0].Type != "text" || m.Content[0].Text == "" {
				t.Errorf("stream=%v: after a tool result got %s; want one text block", stream, m.RawJSON())
			}
		}
	})
}
