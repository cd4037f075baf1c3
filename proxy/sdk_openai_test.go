package proxy

// Chat completions through the official OpenAI Go SDK.

import (
	"fmt"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// sdkChat is a one-message chat request.
func sdkChat(user string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: "gpt-4o",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(user)}}
}

// sdkChatTools offers two functions.
func sdkChatTools() []openai.ChatCompletionToolUnionParam {
	return []openai.ChatCompletionToolUnionParam{
		openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "get_weather",
			Description: openai.String("The weather in a city."), Parameters: sdkWeatherSchema}),
		openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "get_time", Parameters: sdkTimeSchema}),
	}
}

// sdkChatSchemas maps each offered function to its parameters' schema.
var sdkChatSchemas = map[string]map[string]any{"get_weather": sdkWeatherSchema, "get_time": sdkTimeSchema}

// sdkChatCases cover each shape of answer a chat request can get.
var sdkChatCases = []struct {
	name   string
	edit   func(*simulate.Config)
	params func() openai.ChatCompletionNewParams
}{
	{"text", nil, func() openai.ChatCompletionNewParams { return sdkChat("Tell me a story.") }},
	{"n=3", nil, func() openai.ChatCompletionNewParams {
		p := sdkChat("Three stories, please.")
		p.N = openai.Int(3)
		return p
	}},
	{"logprobs", nil, func() openai.ChatCompletionNewParams {
		p := sdkChat("How sure are you?")
		p.Logprobs, p.TopLogprobs = openai.Bool(true), openai.Int(2)
		return p
	}},
	{"tool_choice required", nil, func() openai.ChatCompletionNewParams {
		p := sdkChat("Weather in Paris?")
		p.Tools = sdkChatTools()
		p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("required")}
		return p
	}},
	{"tool_choice named", nil, func() openai.ChatCompletionNewParams {
		p := sdkChat("What time is it in Tokyo?")
		p.Tools = sdkChatTools()
		p.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_time"})
		return p
	}},
	{"json_schema", nil, func() openai.ChatCompletionNewParams {
		p := sdkChat("Describe a person.")
		p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &openai.ResponseFormatJSONSchemaParam{
			JSONSchema: openai.ResponseFormatJSONSchemaJSONSchemaParam{Name: "person", Schema: sdkPersonSchema}}}
		return p
	}},
	{"max_tokens", nil, func() openai.ChatCompletionNewParams {
		p := sdkChat("Be brief.")
		p.MaxTokens = openai.Int(3)
		return p
	}},
	{"stop", sdkFixedText("alpha beta gamma delta"), func() openai.ChatCompletionNewParams {
		p := sdkChat("Count.")
		p.Stop = openai.ChatCompletionNewParamsStopUnion{OfString: openai.String(" gamma")}
		return p
	}},
}

// sdkChatParams returns the params of the sdkChatCases case named name.
func sdkChatParams(name string) func() openai.ChatCompletionNewParams {
	for _, c := range sdkChatCases {
		if c.name == name {
			return c.params
		}
	}
	panic("no chat case " + name)
}

// sdkChatStream streams params and returns the accumulated completion and
// the chunks it was made of.
func sdkChatStream(t *testing.T, client openai.Client, params openai.ChatCompletionNewParams, opts ...option.RequestOption) (openai.ChatCompletion, []openai.ChatCompletionChunk) {
	t.Helper()
	stream := client.Chat.Completions.NewStreaming(t.Context(), params, opts...)
	defer stream.Close()
	var acc openai.ChatCompletionAccumulator
	var chunks []openai.ChatCompletionChunk
	for stream.Next() {
		c := stream.Current()
		if !acc.AddChunk(c) {
			t.Errorf("the SDK's accumulator refused chunk %d: %s", len(chunks), c.RawJSON())
		}
		chunks = append(chunks, c)
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	return acc.ChatCompletion, chunks
}

// sdkCompareChat fails where a streamed-and-accumulated completion differs
// from the unstreamed one in anything the stream carries.
func sdkCompareChat(t *testing.T, want *openai.ChatCompletion, got openai.ChatCompletion) {
	t.Helper()
	eq := func(field string, w, g any) {
		t.Helper()
		if w != g {
			t.Errorf("%s: unstreamed %v, streamed %v", field, w, g)
		}
	}
	eq("id", want.ID, got.ID)
	eq("object", string(want.Object), string(got.Object))
	eq("created", want.Created, got.Created)
	eq("model", want.Model, got.Model)
	eq("system_fingerprint", want.SystemFingerprint, got.SystemFingerprint)
	eq("service_tier", string(want.ServiceTier), string(got.ServiceTier))
	eq("usage.prompt_tokens", want.Usage.PromptTokens, got.Usage.PromptTokens)
	eq("usage.completion_tokens", want.Usage.CompletionTokens, got.Usage.CompletionTokens)
	eq("usage.total_tokens", want.Usage.TotalTokens, got.Usage.TotalTokens)
	if len(want.Choices) != len(got.Choices) {
		t.Fatalf("choices: unstreamed %d, streamed %d", len(want.Choices), len(got.Choices))
	}
	for i, w := range want.Choices {
		g := got.Choices[i]
		eq("choice index", w.Index, g.Index)
		eq("finish_reason", w.FinishReason, g.FinishReason)
		eq("role", string(w.Message.Role), string(g.Message.Role))
		eq("content", w.Message.Content, g.Message.Content)
		eq("refusal", w.Message.Refusal, g.Message.Refusal)
		if len(w.Message.ToolCalls) != len(g.Message.ToolCalls) {
			t.Errorf("choice %d tool calls: unstreamed %d, streamed %d", i, len(w.Message.ToolCalls), len(g.Message.ToolCalls))
			continue
		}
		for j, wc := range w.Message.ToolCalls {
			gc := g.Message.ToolCalls[j]
			eq("tool call id", wc.ID, gc.ID)
			eq("tool call type", wc.Type, gc.Type)
			eq("tool call name", wc.Function.Name, gc.Function.Name)
			eq("tool call arguments", wc.Function.Arguments, gc.Function.Arguments)
		}
		if len(w.Logprobs.Content) != len(g.Logprobs.Content) {
			t.Errorf("choice %d logprobs: unstreamed %d tokens, streamed %d", i, len(w.Logprobs.Content), len(g.Logprobs.Content))
			continue
		}
		for j, wl := range w.Logprobs.Content {
			gl := g.Logprobs.Content[j]
			eq("logprob token", wl.Token, gl.Token)
			eq("logprob", wl.Logprob, gl.Logprob)
			eq("top_logprobs", len(wl.TopLogprobs), len(gl.TopLogprobs))
		}
	}
}

func TestSDKOpenAIChatStreamMatchesUnstreamed(t *testing.T) {
	for _, tc := range sdkChatCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := sdkServer(t, tc.edit)
			client := sdkOpenAIClient(srv)
			params := tc.params()
			want, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatal(err)
			}
			sdkOpenAPI(t, "CreateChatCompletionResponse", "chat completion", []byte(want.RawJSON()))
			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			got, _ := sdkChatStream(t, client, params)
			sdkCompareChat(t, want, got)
		})
	}
}

func TestSDKOpenAIChatRequiredFields(t *testing.T) {
	for _, tc := range sdkChatCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := sdkServer(t, tc.edit)
			params := tc.params()
			client := sdkOpenAIClient(srv)
			resp, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatal(err)
			}
			sdkPresent(t, "chat.completion", map[string]sdkField{"id": resp.JSON.ID, "object": resp.JSON.Object,
				"created": resp.JSON.Created, "model": resp.JSON.Model, "choices": resp.JSON.Choices, "usage": resp.JSON.Usage})
			if resp.Object != "chat.completion" {
				t.Errorf("object = %q", resp.Object)
			}
			u := resp.Usage
			sdkPresent(t, "usage", map[string]sdkField{"prompt_tokens": u.JSON.PromptTokens,
				"completion_tokens": u.JSON.CompletionTokens, "total_tokens": u.JSON.TotalTokens})
			if u.TotalTokens != u.PromptTokens+u.CompletionTokens {
				t.Errorf("usage: total %d != prompt %d + completion %d", u.TotalTokens, u.PromptTokens, u.CompletionTokens)
			}
			for _, ch := range resp.Choices {
				sdkPresent(t, "choice", map[string]sdkField{"index": ch.JSON.Index, "message": ch.JSON.Message,
					"finish_reason": ch.JSON.FinishReason})
				m := ch.Message
				sdkPresent(t, "message", map[string]sdkField{"role": m.JSON.Role})
				sdkNull(t, "message", map[string]sdkField{"refusal": m.JSON.Refusal})
				if params.Logprobs.Value {
					sdkPresent(t, "choice", map[string]sdkField{"logprobs": ch.JSON.Logprobs})
					sdkPresent(t, "logprobs", map[string]sdkField{"content": ch.Logprobs.JSON.Content})
				} else {
					sdkNull(t, "choice", map[string]sdkField{"logprobs": ch.JSON.Logprobs})
				}
				if len(m.ToolCalls) == 0 {
					sdkPresent(t, "message", map[string]sdkField{"content": m.JSON.Content})
					continue
				}
				sdkNull(t, "tool-call message", map[string]sdkField{"content": m.JSON.Content})
				for _, c := range m.ToolCalls {
					sdkPresent(t, "tool call", map[string]sdkField{"id": c.JSON.ID, "type": c.JSON.Type, "function": c.JSON.Function})
				}
			}
		})
	}
}

func TestSDKOpenAIChatChunks(t *testing.T) {
	for _, usage := range []bool{false, true} {
		for _, tc := range sdkChatCases {
			t.Run(fmt.Sprintf("%s/include_usage=%v", tc.name, usage), func(t *testing.T) {
				params := tc.params()
				if usage {
					params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
				}
				_, chunks := sdkChatStream(t, sdkOpenAIClient(sdkServer(t, tc.edit)), params)
				sdkCheckChunks(t, chunks, usage)
			})
		}
	}
}

// sdkCheckChunks checks every chunk's required fields, that they agree on
// the completion's identity, and that a usage chunk (choices: [], usage
// set) ends the stream exactly when include_usage asked for it.
func sdkCheckChunks(t *testing.T, chunks []openai.ChatCompletionChunk, includeUsage bool) {
	t.Helper()
	if len(chunks) < 2 {
		t.Fatalf("%d chunks", len(chunks))
	}
	first := chunks[0]
	finished := map[int64]bool{}
	for i, c := range chunks {
		sdkOpenAPI(t, "CreateChatCompletionStreamResponse", "chunk", []byte(c.RawJSON()))
		sdkPresent(t, "chunk", map[string]sdkField{"id": c.JSON.ID, "object": c.JSON.Object, "created": c.JSON.Created,
			"model": c.JSON.Model, "choices": c.JSON.Choices})
		if c.Object != "chat.completion.chunk" || c.ID != first.ID || c.Created != first.Created || c.Model != first.Model {
			t.Errorf("chunk %d: object %q id %q created %d model %q; the first chunk has id %q created %d model %q",
				i, c.Object, c.ID, c.Created, c.Model, first.ID, first.Created, first.Model)
		}
		last := i == len(chunks)-1
		switch {
		case includeUsage && last:
			if c.JSON.Choices.Raw() != "[]" || !c.JSON.Usage.Valid() {
				t.Errorf("usage chunk: choices %s, usage %s; want choices [] and the usage", c.JSON.Choices.Raw(), c.JSON.Usage.Raw())
			}
			sdkPresent(t, "usage chunk usage", map[string]sdkField{"prompt_tokens": c.Usage.JSON.PromptTokens,
				"completion_tokens": c.Usage.JSON.CompletionTokens, "total_tokens": c.Usage.JSON.TotalTokens})
			continue
		case includeUsage:
			sdkNull(t, "chunk before the usage chunk", map[string]sdkField{"usage": c.JSON.Usage})
		default:
			// Without include_usage there is no usage member at all.
			sdkAbsent(t, "chunk without include_usage", map[string]sdkField{"usage": c.JSON.Usage})
		}
		if len(c.Choices) == 0 {
			t.Errorf("chunk %d has no choices", i)
		}
		for _, ch := range c.Choices {
			sdkPresent(t, "chunk choice", map[string]sdkField{"index": ch.JSON.Index, "delta": ch.JSON.Delta})
			if ch.JSON.FinishReason.Raw() == "" {
				t.Errorf("chunk %d choice %d: finish_reason missing (must be null until the end)", i, ch.Index)
			}
			if _, seen := finished[ch.Index]; !seen && ch.Delta.Role != "assistant" {
				t.Errorf("chunk %d: choice %d opens with role %q, want assistant", i, ch.Index, ch.Delta.Role)
			}
			if finished[ch.Index] {
				t.Errorf("chunk %d: choice %d continues after its finish_reason", i, ch.Index)
			}
			finished[ch.Index] = ch.FinishReason != ""
		}
	}
	for idx, done := range finished {
		if !done {
			t.Errorf("choice %d never got a finish_reason", idx)
		}
	}
}
