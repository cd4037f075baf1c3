package proxy

// The Responses API through the official OpenAI Go SDK: function calls,
// structured output, and the configuration a response echoes.

import (
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
)

func TestSDKOpenAIResponsesTools(t *testing.T) {
	for _, tc := range sdkResponsesCases {
		if !strings.HasPrefix(tc.name, "tool_choice") {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, nil))
			r, err := client.Responses.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			var calls int
			for _, item := range r.Output {
				if item.Type != "function_call" {
					continue
				}
				calls++
				c := item.AsFunctionCall()
				schema, ok := sdkChatSchemas[c.Name]
				if !ok {
					t.Fatalf("call to unknown function %q", c.Name)
				}
				if tc.name == "tool_choice named" && c.Name != "get_time" {
					t.Errorf("named get_time, called %q", c.Name)
				}
				if !strings.HasPrefix(c.CallID, "call_") || c.Status != "completed" {
					t.Errorf("call_id %q status %q", c.CallID, c.Status)
				}
				sdkValidate(t, sdkSchema(t, schema), c.Name+" arguments", c.Arguments)
			}
			if calls == 0 {
				t.Fatalf("no function call: %s", r.RawJSON())
			}
		})
	}
	t.Run("tool result gets text", func(t *testing.T) {
		always := func(c *simulate.Config) { c.Default.ToolCallProbability = 1 }
		client := sdkOpenAIClient(sdkServer(t, always))
		first, err := client.Responses.New(t.Context(), responses.ResponseNewParams{Model: "gpt-4o",
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Weather in Paris?")}, Tools: sdkResponsesTools()})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Output) == 0 || first.Output[0].Type != "function_call" {
			t.Fatalf("auto with ToolCallProbability 1 gave no call: %s", first.RawJSON())
		}
		call := first.Output[0].AsFunctionCall()
		output := responses.ResponseInputItemParamOfFunctionCallOutput(`{"temperature": 21}`)
		output.OfFunctionCallOutput.CallID = openai.String(call.CallID)
		second, err := client.Responses.New(t.Context(), responses.ResponseNewParams{Model: "gpt-4o", Tools: sdkResponsesTools(),
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
				responses.ResponseInputItemParamOfMessage("Weather in Paris?", responses.EasyInputMessageRoleUser),
				responses.ResponseInputItemParamOfFunctionCall(call.Arguments, call.CallID, call.Name),
				output,
			}}})
		if err != nil {
			t.Fatal(err)
		}
		if second.OutputText() == "" || second.Output[0].Type != "message" {
			t.Errorf("after a function result got %s; want a message", second.RawJSON())
		}
	})
	t.Run("json_schema output", func(t *testing.T) {
		client := sdkOpenAIClient(sdkServer(t, nil))
		r, err := client.Responses.New(t.Context(), sdkResponsesParams("json_schema")())
		if err != nil {
			t.Fatal(err)
		}
		sdkValidate(t, sdkSchema(t, sdkPersonSchema), "json_schema output", r.OutputText())
	})
}

// The response echoes the text configuration in effect: the requested
// format, in its own shape, and the verbosity used, whose documented
// default is "medium" (the simulator reports "medium" itself when the
// request has no text member).
func TestSDKOpenAIResponsesTextEcho(t *testing.T) {
	cases := []struct {
		name   string
		params func() responses.ResponseNewParams
		format map[string]bool // the members the echoed format must have, and no others
	}{
		{"default", sdkResponsesParams("text"), map[string]bool{"type": true}},
		{"json_schema", sdkResponsesParams("json_schema"), map[string]bool{"type": true, "name": true, "schema": true, "strict": true, "description": true}},
		{"json_object", sdkResponsesParams("json_object"), map[string]bool{"type": true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, nil))
			r, err := client.Responses.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			text := sdkJSON(t, "text", []byte(r.JSON.Text.Raw()))
			if text["verbosity"] != "medium" {
				t.Errorf("text.verbosity %v, want the default medium: %s", text["verbosity"], r.JSON.Text.Raw())
			}
			format, _ := text["format"].(map[string]any)
			for k, v := range format {
				if !tc.format[k] {
					t.Errorf("text.format.%s = %v is not a member of this format: %s", k, v, r.JSON.Text.Raw())
				}
			}
		})
	}
}

// The response echoes the reasoning configuration it was asked for.
func TestSDKOpenAIResponsesEchoesReasoning(t *testing.T) {
	client := sdkOpenAIClient(sdkServer(t, nil))
	p := sdkResponse("Think a little.")
	p.Model = "o4-mini"
	p.Reasoning = shared.ReasoningParam{Effort: shared.ReasoningEffortLow}
	r, err := client.Responses.New(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reasoning.Effort != shared.ReasoningEffortLow {
		t.Errorf("reasoning %s, want effort low as requested", r.JSON.Reasoning.Raw())
	}
}
