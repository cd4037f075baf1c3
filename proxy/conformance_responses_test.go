package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// confLongModel answers with 40 tokens, so max_output_tokens 16 cuts it.
const confLongModel = "gpt-4o-long"

const confRespTool = `{"type":"function","name":"get_weather","description":"Get the current weather in a city.",` +
	`"parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}`

var confResponsesCases = []struct {
	name, body string // body without "stream"
	status     string // the response's final status
	item       string // the type of every output item
}{
	{name: "plain", status: "completed", item: "message",
		body: `{"model":"gpt-4o","input":"Tell me a three sentence bedtime story about a unicorn."}`},
	{name: "instructions and input items", status: "completed", item: "message",
		body: `{"model":"gpt-4o","instructions":"Be terse.","input":[{"role":"user","content":"Hello"}]}`},
	{name: "function tools required", status: "completed", item: "function_call",
		body: `{"model":"gpt-4o","input":"What is the weather in Paris?","tools":[` + confRespTool + `],"tool_choice":"required"}`},
	{name: "function tool without strict", status: "completed", item: "function_call",
		body: `{"model":"gpt-4o","input":"What is the weather in Paris?","tool_choice":"required",` +
			`"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}`},
	{name: "text.format json_schema", status: "completed", item: "message",
		body: `{"model":"gpt-4o","input":"Weather in Paris as JSON.","text":{"format":{"type":"json_schema","name":"weather","strict":true,"schema":` + confAnswerSchema + `}}}`},
	{name: "max_output_tokens 16 incomplete", status: "incomplete", item: "message",
		body: `{"model":"` + confLongModel + `","input":"Tell me a long story.","max_output_tokens":16}`},
}

func confResponsesServer(t *testing.T) *httptest.Server {
	return confServer(t, simulate.Config{Models: []simulate.ModelOverride{
		{Pattern: confLongModel, Model: simulate.Model{OutputTokens: dist.Constant{V: 40}}},
	}})
}

// TestConformanceResponses validates the Responses API, whole and
// streamed event by event.
func TestConformanceResponses(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	srv := confResponsesServer(t)
	for _, tc := range confResponsesCases {
		t.Run(tc.name, func(t *testing.T) {
			r := confDo(t, srv, http.MethodPost, "/v1/responses", tc.body)
			confWant(t, r, http.StatusOK, "application/json")
			spec.validate(t, "POST /v1/responses", "Response", r.body)
			confCheckResponseShape(t, r.body, tc.status, tc.item)
		})
	}
	for _, tc := range confResponsesCases {
		t.Run("stream "+tc.name, func(t *testing.T) {
			body := tc.body[:len(tc.body)-1] + `,"stream":true}`
			r := confDo(t, srv, http.MethodPost, "/v1/responses", body)
			confWant(t, r, http.StatusOK, "text/event-stream")
			confCheckResponsesStream(t, spec, r.body, tc.status, tc.item)
		})
	}
}

// confResponseShape is what the sanity checks read from a response.
type confResponseShape struct {
	Status string `json:"status"`
	Output []struct {
		Type string `json:"type"`
	} `json:"output"`
}

func confCheckResponseShape(t *testing.T, body []byte, status, item string) {
	t.Helper()
	var r confResponseShape
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response: %v", err)
	}
	if r.Status != status {
		t.Errorf("status %q, want %q", r.Status, status)
	}
	if len(r.Output) == 0 {
		t.Errorf("no output items")
	}
	for i, o := range r.Output {
		if o.Type != item {
			t.Errorf("output[%d] is a %q, want %q", i, o.Type, item)
		}
	}
}

// confCheckResponsesStream validates each event against the schema the
// spec names for its type, and checks the framing: the SSE event name is
// the payload's type, sequence_number counts from 0 by 1, there is no
// [DONE], and the stream ends with the response in its final status.
func confCheckResponsesStream(t *testing.T, spec *confSpecSet, body []byte, status, item string) {
	t.Helper()
	events := confEvents(t, body)
	for i, ev := range events {
		label := fmt.Sprintf("responses stream event %d (%s)", i, ev.name)
		if string(ev.data) == "[DONE]" {
			t.Errorf("%s: [DONE] sent; the Responses API ends with its final response event", label)
			continue
		}
		var head struct {
			Type           string `json:"type"`
			SequenceNumber *int   `json:"sequence_number"`
			Response       json.RawMessage
		}
		if err := json.Unmarshal(ev.data, &head); err != nil {
			t.Errorf("%s: not JSON (%v): %s", label, err, confTruncate(ev.data, 2<<10))
			continue
		}
		if ev.name != head.Type {
			t.Errorf("%s: SSE event name %q, payload type %q", label, ev.name, head.Type)
		}
		if head.SequenceNumber == nil || *head.SequenceNumber != i {
			t.Errorf("%s: sequence_number %v, want %d", label, confIntOrNil(head.SequenceNumber), i)
		}
		schema, ok := spec.eventSchema[head.Type]
		if !ok {
			t.Errorf("%s: type %q is not among the spec's ResponseStreamEvent types", label, head.Type)
			continue
		}
		spec.validate(t, label, schema, ev.data)
		if i == len(events)-1 {
			if want := "response." + status; head.Type != want {
				t.Errorf("the stream ends with %q, want %q", head.Type, want)
			}
			confCheckResponseShape(t, head.Response, status, item)
		}
	}
}

func confIntOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
