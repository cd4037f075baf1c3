package proxy

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var confCompletionCases = []struct {
	name, body string // body without "stream"
	choices    int
}{
	{name: "plain", choices: 1,
		body: `{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7}`},
	{name: "logprobs 2", choices: 1,
		body: `{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","logprobs":2}`},
	{name: "n=2 echo", choices: 2,
		body: `{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","n":2,"echo":true}`},
	{name: "two prompts", choices: 2,
		body: `{"model":"gpt-3.5-turbo-instruct","prompt":["Say this","Say that"]}`},
}

// TestConformanceCompletions validates legacy completions, whole and
// streamed (each chunk has the same schema as the whole body).
func TestConformanceCompletions(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	srv := confServer(t, simulate.Config{})
	for _, tc := range confCompletionCases {
		t.Run(tc.name, func(t *testing.T) {
			r := confDo(t, srv, http.MethodPost, "/v1/completions", tc.body)
			confWant(t, r, http.StatusOK, "application/json")
			spec.validate(t, "POST /v1/completions", "CreateCompletionResponse", r.body)
		})
	}
	streams := []struct{ name, extra string }{{"", ""}, {" include_usage", `,"stream_options":{"include_usage":true}`}}
	for _, tc := range confCompletionCases {
		for _, st := range streams {
			t.Run("stream "+tc.name+st.name, func(t *testing.T) {
				body := tc.body[:len(tc.body)-1] + `,"stream":true` + st.extra + `}`
				r := confDo(t, srv, http.MethodPost, "/v1/completions", body)
				confWant(t, r, http.StatusOK, "text/event-stream")
				confCheckCompletionStream(t, spec, r.body, tc.choices)
			})
		}
	}
}

// confCheckCompletionStream validates each chunk as a
// CreateCompletionResponse.
//
// Two allowances, both where the spec's schema contradicts its own text
// and the real API:
//   - choices[].finish_reason is typed as a string, but the real API sends
//     "finish_reason": null in every chunk before a choice's last (as the
//     spec's streaming examples show), and SDKs expect it. Such a null is
//     replaced by "stop" before validating. So that this cannot hide a
//     stream that never finishes, every choice must get a real
//     finish_reason in some chunk.
//   - with stream_options.include_usage, stream_options' description says
//     every chunk but the last carries "usage": null, while the response
//     schema's usage is a plain object. A null usage is removed before
//     validating; the last chunk's usage is validated as it is.
func confCheckCompletionStream(t *testing.T, spec *confSpecSet, body []byte, choices int) {
	t.Helper()
	events := confEvents(t, body)
	finished := map[int]bool{}
	for i, ev := range events {
		label := fmt.Sprintf("completions stream event %d", i)
		if ev.name != "" {
			t.Errorf("%s: named %q; completion streams are data-only", label, ev.name)
		}
		if bytes.Equal(ev.data, []byte("[DONE]")) {
			if i != len(events)-1 {
				t.Errorf("%s: [DONE] before the end (%d events)", label, len(events))
			}
			continue
		}
		if i == len(events)-1 {
			t.Errorf("the stream does not end with data: [DONE]; last event: %s", confTruncate(ev.data, 512))
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(ev.data))
		if err != nil {
			t.Errorf("%s: not JSON (%v): %s", label, err, confTruncate(ev.data, 2<<10))
			continue
		}
		confAllowNullFinish(v, finished)
		confAllowNullUsage(v)
		spec.validateValue(t, label, "CreateCompletionResponse", v, ev.data)
	}
	for i := range choices {
		if !finished[i] {
			t.Errorf("choice %d never got a finish_reason", i)
		}
	}
}

// confAllowNullFinish replaces a present, null choices[].finish_reason
// with "stop" and records which choices carried a real one.
func confAllowNullFinish(v any, finished map[int]bool) {
	obj, _ := v.(map[string]any)
	list, _ := obj["choices"].([]any)
	for _, c := range list {
		ch, _ := c.(map[string]any)
		reason, present := ch["finish_reason"]
		if !present {
			continue // the schema requires it: let validation say so
		}
		if reason == nil {
			ch["finish_reason"] = "stop"
			continue
		}
		if idx, ok := ch["index"].(interface{ Int64() (int64, error) }); ok {
			if n, err := idx.Int64(); err == nil {
				finished[int(n)] = true
			}
		}
	}
}

// confAllowNullUsage removes a top-level "usage": null (see
// confCheckCompletionStream).
func confAllowNullUsage(v any) {
	obj, _ := v.(map[string]any)
	if u, present := obj["usage"]; present && u == nil {
		delete(obj, "usage")
	}
}
