package proxy

// The Responses API through the official OpenAI Go SDK.

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"
)

// sdkResponse is a Responses request with a string input.
func sdkResponse(input string) responses.ResponseNewParams {
	return responses.ResponseNewParams{Model: "gpt-4o", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(input)}}
}

func sdkResponsesTools() []responses.ToolUnionParam {
	return []responses.ToolUnionParam{
		{OfFunction: &responses.FunctionToolParam{Name: "get_weather", Parameters: sdkWeatherSchema, Strict: openai.Bool(false)}},
		{OfFunction: &responses.FunctionToolParam{Name: "get_time", Parameters: sdkTimeSchema, Strict: openai.Bool(false)}},
	}
}

// sdkLongAnswers makes answers 40 tokens long, so max_output_tokens (at
// least 16) can cut them.
func sdkLongAnswers(c *simulate.Config) { c.Default.OutputTokens = dist.Constant{V: 40} }

var sdkResponsesCases = []struct {
	name   string
	edit   func(*simulate.Config)
	params func() responses.ResponseNewParams
	status string
}{
	{"text", nil, func() responses.ResponseNewParams { return sdkResponse("Tell me a story.") }, "completed"},
	{"tool_choice required", nil, func() responses.ResponseNewParams {
		p := sdkResponse("Weather in Paris?")
		p.Tools = sdkResponsesTools()
		p.ToolChoice = responses.ResponseNewParamsToolChoiceUnion{OfToolChoiceMode: param.NewOpt(responses.ToolChoiceOptionsRequired)}
		return p
	}, "completed"},
	{"tool_choice named", nil, func() responses.ResponseNewParams {
		p := sdkResponse("Time in Tokyo?")
		p.Tools = sdkResponsesTools()
		p.ToolChoice = responses.ResponseNewParamsToolChoiceUnion{OfFunctionTool: &responses.ToolChoiceFunctionParam{Name: "get_time"}}
		return p
	}, "completed"},
	{"json_schema", nil, func() responses.ResponseNewParams {
		p := sdkResponse("Describe a person.")
		p.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
			OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{Name: "person", Schema: sdkPersonSchema}}}
		return p
	}, "completed"},
	{"json_object", nil, func() responses.ResponseNewParams {
		p := sdkResponse("Answer in JSON.")
		p.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
			OfJSONObject: &openai.ResponseFormatJSONObjectParam{}}}
		return p
	}, "completed"},
	{"max_output_tokens", sdkLongAnswers, func() responses.ResponseNewParams {
		p := sdkResponse("Go on and on.")
		p.MaxOutputTokens = openai.Int(16)
		return p
	}, "incomplete"},
}

// sdkResponsesParams returns the params of the sdkResponsesCases case
// named name.
func sdkResponsesParams(name string) func() responses.ResponseNewParams {
	for _, c := range sdkResponsesCases {
		if c.name == name {
			return c.params
		}
	}
	panic("no responses case " + name)
}

// sdkResponsesStream streams params and returns every event.
func sdkResponsesStream(t *testing.T, client openai.Client, params responses.ResponseNewParams) []responses.ResponseStreamEventUnion {
	t.Helper()
	stream := client.Responses.NewStreaming(t.Context(), params)
	defer stream.Close()
	var events []responses.ResponseStreamEventUnion
	for stream.Next() {
		events = append(events, stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if len(events) == 0 {
		t.Fatal("no events")
	}
	return events
}

// sdkSameJSON reports whether two JSON documents hold the same value.
func sdkSameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return reflect.DeepEqual(va, vb)
}

func TestSDKOpenAIResponsesStreamMatchesUnstreamed(t *testing.T) {
	for _, tc := range sdkResponsesCases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			want, err := client.Responses.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			events := sdkResponsesStream(t, client, tc.params())
			last := events[len(events)-1]
			if last.Type != "response."+tc.status {
				t.Fatalf("stream ended with %q, want response.%s", last.Type, tc.status)
			}
			got := last.Response
			if string(got.Status) != tc.status || string(want.Status) != tc.status {
				t.Errorf("status: unstreamed %q, streamed %q, want %q", want.Status, got.Status, tc.status)
			}
			if got.ID != want.ID || got.OutputText() != want.OutputText() || len(got.Output) != len(want.Output) {
				t.Errorf("unstreamed %s %q (%d items), streamed %s %q (%d items)", want.ID, want.OutputText(), len(want.Output),
					got.ID, got.OutputText(), len(got.Output))
			}
			if got.Usage.InputTokens != want.Usage.InputTokens || got.Usage.OutputTokens != want.Usage.OutputTokens ||
				got.Usage.TotalTokens != want.Usage.TotalTokens {
				t.Errorf("usage: unstreamed %s, streamed %s", want.Usage.RawJSON(), got.Usage.RawJSON())
			}
			if !sdkSameJSON(t, want.RawJSON(), got.RawJSON()) {
				t.Errorf("the %s event's response differs from the unstreamed response:\nunstreamed %s\nstreamed   %s",
					last.Type, want.RawJSON(), got.RawJSON())
			}
		})
	}
}

func TestSDKOpenAIResponsesRequiredFields(t *testing.T) {
	for _, tc := range sdkResponsesCases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			r, err := client.Responses.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			sdkOpenAPI(t, "Response", "response", []byte(r.RawJSON()))
			sdkPresent(t, "response", map[string]sdkField{"id": r.JSON.ID, "object": r.JSON.Object, "created_at": r.JSON.CreatedAt,
				"status": r.JSON.Status, "model": r.JSON.Model, "output": r.JSON.Output, "usage": r.JSON.Usage,
				"tools": r.JSON.Tools, "tool_choice": r.JSON.ToolChoice, "parallel_tool_calls": r.JSON.ParallelToolCalls,
				"metadata": r.JSON.Metadata, "temperature": r.JSON.Temperature, "top_p": r.JSON.TopP})
			sdkNull(t, "response", map[string]sdkField{"error": r.JSON.Error, "instructions": r.JSON.Instructions})
			if r.Object != "response" {
				t.Errorf("object = %q", r.Object)
			}
			if tc.status == "incomplete" {
				sdkPresent(t, "response", map[string]sdkField{"incomplete_details": r.JSON.IncompleteDetails})
				if r.IncompleteDetails.Reason != "max_output_tokens" || r.Usage.OutputTokens != 16 {
					t.Errorf("incomplete_details %s with %d output tokens; want max_output_tokens at 16",
						r.JSON.IncompleteDetails.Raw(), r.Usage.OutputTokens)
				}
			} else {
				sdkNull(t, "response", map[string]sdkField{"incomplete_details": r.JSON.IncompleteDetails})
			}
			u := r.Usage
			sdkPresent(t, "usage", map[string]sdkField{"input_tokens": u.JSON.InputTokens, "output_tokens": u.JSON.OutputTokens,
				"total_tokens": u.JSON.TotalTokens, "input_tokens_details": u.JSON.InputTokensDetails,
				"output_tokens_details": u.JSON.OutputTokensDetails})
			sdkPresent(t, "usage.input_tokens_details", map[string]sdkField{"cached_tokens": u.InputTokensDetails.JSON.CachedTokens,
				"cache_write_tokens": u.InputTokensDetails.JSON.CacheWriteTokens})
			sdkPresent(t, "usage.output_tokens_details", map[string]sdkField{"reasoning_tokens": u.OutputTokensDetails.JSON.ReasoningTokens})
			if u.TotalTokens != u.InputTokens+u.OutputTokens {
				t.Errorf("usage: total %d != input %d + output %d", u.TotalTokens, u.InputTokens, u.OutputTokens)
			}
			for _, item := range r.Output {
				sdkPresent(t, "output item", map[string]sdkField{"id": item.JSON.ID, "type": item.JSON.Type, "status": item.JSON.Status})
				switch item.Type {
				case "message":
					sdkPresent(t, "message", map[string]sdkField{"role": item.JSON.Role, "content": item.JSON.Content})
				case "function_call":
					sdkPresent(t, "function_call", map[string]sdkField{"call_id": item.JSON.CallID, "name": item.JSON.Name,
						"arguments": item.JSON.Arguments})
				default:
					t.Errorf("unexpected output item type %q", item.Type)
				}
			}
		})
	}
}

// The stream's events are numbered from 0 without gaps, follow the
// documented order, and their deltas add up to their done events.
func TestSDKOpenAIResponsesEvents(t *testing.T) {
	for _, tc := range sdkResponsesCases {
		t.Run(tc.name, func(t *testing.T) {
			events := sdkResponsesStream(t, sdkOpenAIClient(sdkServer(t, tc.edit)), tc.params())
			sdkResponsesAccumulate(t, events)
			var text, args strings.Builder
			items := map[int64]string{} // output_index → item id
			for i, ev := range events {
				if schema, ok := sdkResponsesEventSchema(ev.Type); ok {
					sdkOpenAPI(t, schema, ev.Type+" event", []byte(ev.RawJSON()))
				} else {
					t.Errorf("event %d: unexpected type %q", i, ev.Type)
				}
				sdkPresent(t, ev.Type, map[string]sdkField{"type": ev.JSON.Type, "sequence_number": ev.JSON.SequenceNumber})
				if ev.SequenceNumber != int64(i) {
					t.Errorf("event %d (%s): sequence_number %d", i, ev.Type, ev.SequenceNumber)
				}
				switch ev.Type {
				case "response.created", "response.in_progress", "response.completed", "response.incomplete":
					sdkPresent(t, ev.Type, map[string]sdkField{"response": ev.JSON.Response})
				case "response.output_item.added":
					items[ev.OutputIndex] = ev.Item.ID
				case "response.output_text.delta":
					text.WriteString(ev.Delta)
				case "response.output_text.done":
					if ev.Text != text.String() {
						t.Errorf("output_text.done %q, deltas %q", ev.Text, text.String())
					}
					text.Reset()
				case "response.function_call_arguments.delta":
					args.WriteString(ev.Delta)
				case "response.function_call_arguments.done":
					if ev.Arguments != args.String() {
						t.Errorf("function_call_arguments.done %q, deltas %q", ev.Arguments, args.String())
					}
					args.Reset()
				}
				if strings.Contains(ev.Type, ".delta") || strings.HasSuffix(ev.Type, ".done") && ev.Type != "response.output_item.done" {
					if id, ok := items[ev.OutputIndex]; !ok || ev.ItemID != id {
						t.Errorf("event %d (%s): item_id %q at output_index %d, added item %q", i, ev.Type, ev.ItemID, ev.OutputIndex, id)
					}
				}
			}
			order := []string{"response.created", "response.in_progress", "response.output_item.added"}
			for i, typ := range order {
				if events[i].Type != typ {
					t.Errorf("event %d is %q, want %q", i, events[i].Type, typ)
				}
			}
			if n := len(events); events[n-2].Type != "response.output_item.done" {
				t.Errorf("event before the last is %q, want response.output_item.done", events[n-2].Type)
			}
		})
	}
}

// sdkResponsesAccumulate feeds the events to the SDK's own protocol-
// checking accumulator, which refuses events out of protocol and builds
// the terminal response only from a valid terminal event.
func sdkResponsesAccumulate(t *testing.T, events []responses.ResponseStreamEventUnion) {
	t.Helper()
	var acc responses.ResponseAccumulator
	var final string
	for i, ev := range events {
		var server responses.ResponsesServerEventUnion
		if err := json.Unmarshal([]byte(ev.RawJSON()), &server); err != nil {
			t.Fatalf("event %d as a server event: %v", i, err)
		}
		if err := acc.AddEvent(server); err != nil {
			t.Errorf("the SDK's accumulator refused event %d (%s): %v", i, ev.Type, err)
		}
		if ev.Type == "response.output_text.done" {
			final += ev.Text
		}
	}
	snap := acc.Snapshot()
	if last := events[len(events)-1].Type; snap.TerminalEvent != last {
		t.Errorf("accumulator terminal event %q, stream ended with %q", snap.TerminalEvent, last)
	}
	if snap.OutputText() != final {
		t.Errorf("accumulated text %q, output_text.done %q", snap.OutputText(), final)
	}
	if _, err := acc.ReconstructedResponse(); err != nil {
		t.Errorf("accumulator could not rebuild the response: %v", err)
	}
}
