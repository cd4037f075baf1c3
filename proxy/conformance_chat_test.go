package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
)

// Request pieces shared by the chat cases, as an SDK sends them.
const (
	confUserMsg     = `"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"What is the weather in Paris?"}]`
	confWeatherTool = `{"type":"function","function":{"name":"get_weather","description":"Get the current weather in a city.",` +
		`"parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}}`
	confAnswerSchema = `{"type":"object","properties":{"city":{"type":"string"},"celsius":{"type":"number"}},"required":["city","celsius"],"additionalProperties":false}`
)

// confChatShape is what the sanity checks read from a chat body or chunk:
// enough to tell that a case exercised what its name says.
type confChatShape struct {
	Choices []struct {
		Index        int             `json:"index"`
		FinishReason *string         `json:"finish_reason"`
		Logprobs     json.RawMessage `json:"logprobs"`
		Message      struct {
			ToolCalls []json.RawMessage `json:"tool_calls"`
		} `json:"message"`
	} `json:"choices"`
	Usage json.RawMessage `json:"usage"`
}

// confExpect is what a case must show besides matching the schema.
type confExpect struct {
	choices  int    // number of choices; 0 means 1
	finish   string // every choice's finish_reason; "" means "stop"
	logprobs bool   // logprobs present (not null)
	usage    bool   // streams: a usage chunk before [DONE]
}

func (e confExpect) check(t *testing.T, choices int, finish map[int]string, logprobs, usage bool) {
	t.Helper()
	want, reason := max(e.choices, 1), e.finish
	if reason == "" {
		reason = "stop"
	}
	if choices != want {
		t.Errorf("%d choices, want %d", choices, want)
	}
	for i := range want {
		if finish[i] != reason {
			t.Errorf("choice %d finished %q, want %q", i, finish[i], reason)
		}
	}
	if logprobs != e.logprobs {
		t.Errorf("logprobs present: %v, want %v", logprobs, e.logprobs)
	}
	if usage != e.usage {
		t.Errorf("usage chunk: %v, want %v", usage, e.usage)
	}
}

var confChatCases = []struct {
	name          string
	body          string // without "stream"
	whole, stream bool   // run unstreamed, streamed
	want          confExpect
}{
	{name: "plain", whole: true, stream: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `}`},
	{name: "include_usage", stream: true, // stream_options needs a stream
		body: `{"model":"gpt-4o",` + confUserMsg + `,"stream_options":{"include_usage":true}}`,
		want: confExpect{usage: true}},
	{name: "tools required", whole: true, stream: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `,"tools":[` + confWeatherTool + `],"tool_choice":"required"}`,
		want: confExpect{finish: "tool_calls"}},
	{name: "n=3", whole: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `,"n":3}`,
		want: confExpect{choices: 3}},
	{name: "n=2", stream: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `,"n":2}`,
		want: confExpect{choices: 2}},
	{name: "logprobs top 2", whole: true, stream: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `,"logprobs":true,"top_logprobs":2}`,
		want: confExpect{logprobs: true}},
	{name: "json_schema", whole: true, stream: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `,"response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,"schema":` + confAnswerSchema + `}}}`},
	{name: "max_tokens 2", whole: true, stream: true,
		body: `{"model":"gpt-4o",` + confUserMsg + `,"max_tokens":2}`,
		want: confExpect{finish: "length"}},
}

// TestConformanceChat validates chat completions, whole and streamed.
func TestConformanceChat(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	srv := confServer(t, simulate.Config{})
	for _, tc := range confChatCases {
		if !tc.whole {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			r := confDo(t, srv, http.MethodPost, "/v1/chat/completions", tc.body)
			confWant(t, r, http.StatusOK, "application/json")
			spec.validate(t, "POST /v1/chat/completions", "CreateChatCompletionResponse", r.body)
			var shape confChatShape
			if err := json.Unmarshal(r.body, &shape); err != nil {
				t.Fatal(err)
			}
			finish, logprobs := map[int]string{}, false
			for _, c := range shape.Choices {
				if c.FinishReason != nil {
					finish[c.Index] = *c.FinishReason
				}
				logprobs = logprobs || (len(c.Logprobs) > 0 && string(c.Logprobs) != "null")
				if (len(c.Message.ToolCalls) > 0) != (tc.want.finish == "tool_calls") {
					t.Errorf("choice %d: %d tool calls, finish %q", c.Index, len(c.Message.ToolCalls), tc.want.finish)
				}
			}
			tc.want.check(t, len(shape.Choices), finish, logprobs, false)
		})
	}
	for _, tc := range confChatCases {
		if !tc.stream {
			continue
		}
		t.Run("stream "+tc.name, func(t *testing.T) {
			body := tc.body[:len(tc.body)-1] + `,"stream":true}`
			r := confDo(t, srv, http.MethodPost, "/v1/chat/completions", body)
			confWant(t, r, http.StatusOK, "text/event-stream")
			confCheckChatStream(t, spec, r.body, tc.want)
		})
	}
}

// confCheckChatStream validates every data event of a chat stream and
// checks that [DONE] ends it.
func confCheckChatStream(t *testing.T, spec *confSpecSet, body []byte, want confExpect) {
	t.Helper()
	events := confEvents(t, body)
	indices, finish := map[int]bool{}, map[int]string{}
	logprobs, usage := false, false
	for i, ev := range events {
		label := fmt.Sprintf("chat stream event %d", i)
		if ev.name != "" {
			t.Errorf("%s: named %q; chat streams are data-only", label, ev.name)
		}
		if string(ev.data) == "[DONE]" {
			if i != len(events)-1 {
				t.Errorf("%s: [DONE] before the end (%d events)", label, len(events))
			}
			continue
		}
		if i == len(events)-1 {
			t.Errorf("the stream does not end with data: [DONE]; last event: %s", confTruncate(ev.data, 512))
		}
		spec.validate(t, label, "CreateChatCompletionStreamResponse", ev.data)
		var shape confChatShape
		if err := json.Unmarshal(ev.data, &shape); err != nil {
			continue // validate has reported it
		}
		for _, c := range shape.Choices {
			indices[c.Index] = true
			if c.FinishReason != nil {
				finish[c.Index] = *c.FinishReason
			}
			logprobs = logprobs || (len(c.Logprobs) > 0 && string(c.Logprobs) != "null")
		}
		if len(shape.Usage) > 0 && !bytes.Equal(shape.Usage, []byte("null")) {
			usage = true
		}
	}
	want.check(t, len(indices), finish, logprobs, usage)
}
