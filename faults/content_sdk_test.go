package faults

import (
	"encoding/json"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"github.com/llm-simulator/llm-simulator/wire"
)

// deliveredEvents runs a golden stream through the fault and returns the
// data of every event the client receives.
func deliveredEvents(t *testing.T, golden string, c Content) [][]byte {
	t.Helper()
	provider, path := contentEndpoint(golden)
	run := runContent(t, &c, provider, path, readGolden(t, golden).events(t, path))
	var out [][]byte
	var p wire.SSEParser
	_ = p.Feed(run.rec.Body.Bytes(), func(ev wire.Event) error {
		if string(ev.Data) != "[DONE]" {
			out = append(out, append([]byte(nil), ev.Data...))
		}
		return nil
	})
	return out
}

// The official SDKs are the judges: their accumulators must piece the
// edited streams together into the broken answer intended.
func TestContentAsTheSDKsSeeIt(t *testing.T) {
	t.Run("openai chat refusal", func(t *testing.T) {
		var acc openai.ChatCompletionAccumulator
		for _, d := range deliveredEvents(t, "chat-tools-stream", Content{Finish: "refusal"}) {
			var ch openai.ChatCompletionChunk
			if err := json.Unmarshal(d, &ch); err != nil || !acc.AddChunk(ch) {
				t.Fatalf("chunk refused (%v): %s", err, d)
			}
		}
		m := acc.Choices[0].Message
		if m.Refusal != refusalText || m.Content != "" || len(m.ToolCalls) != 0 || acc.Choices[0].FinishReason != "stop" {
			t.Fatalf("%+v finish %q", m, acc.Choices[0].FinishReason)
		}
	})
	t.Run("openai chat tool call", func(t *testing.T) {
		var acc openai.ChatCompletionAccumulator
		for _, d := range deliveredEvents(t, "chat-tools-stream", Content{InvalidToolArguments: true, UnknownTool: "rm_rf"}) {
			var ch openai.ChatCompletionChunk
			if err := json.Unmarshal(d, &ch); err != nil || !acc.AddChunk(ch) {
				t.Fatalf("chunk refused (%v): %s", err, d)
			}
		}
		f := acc.Choices[0].Message.ToolCalls[0].Function
		if f.Name != "rm_rf" || json.Valid([]byte(f.Arguments)) {
			t.Fatalf("%+v", f)
		}
	})
	t.Run("responses incomplete", func(t *testing.T) {
		evs := deliveredEvents(t, "responses-stream", Content{Finish: "length"})
		var last responses.ResponseStreamEventUnion
		for _, d := range evs {
			if err := json.Unmarshal(d, &last); err != nil {
				t.Fatal(err)
			}
		}
		r := last.AsResponseIncomplete().Response
		if last.Type != "response.incomplete" || r.Status != "incomplete" || r.IncompleteDetails.Reason != "max_output_tokens" {
			t.Fatalf("%s %s %+v", last.Type, r.Status, r.IncompleteDetails)
		}
	})
	t.Run("anthropic tool input", func(t *testing.T) {
		var m anthropic.Message
		var accErr error
		for _, d := range deliveredEvents(t, "messages-tools-stream", Content{InvalidToolArguments: true, UnknownTool: "rm_rf"}) {
			var ev anthropic.MessageStreamEventUnion
			if err := json.Unmarshal(d, &ev); err != nil {
				t.Fatal(err)
			}
			if err := m.Accumulate(ev); err != nil && accErr == nil {
				accErr = err
			}
		}
		// The Go SDK's accumulator does not pass broken input on: it
		// empties it to {} "so the block marshals" (messageutil.go), so
		// an app that accumulates sees a call without its arguments, and
		// one that reads the deltas sees the broken JSON.
		tu := m.Content[0].AsToolUse()
		if accErr != nil || tu.Name != "rm_rf" || (json.Valid(tu.Input) && string(tu.Input) != "{}") {
			t.Fatalf("tool %q input %s (accumulate: %v)", tu.Name, tu.Input, accErr)
		}
	})
}
