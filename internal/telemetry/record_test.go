package telemetry

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRecordJSON(t *testing.T) {
	r := Record{Time: t0, RequestID: "chatcmpl-1", Method: "POST", Path: "/v1/chat/completions", Provider: "openai",
		Model: "gpt-4o", Rule: "flaky", Action: "simulate", Source: "simulated", Stream: true,
		Faults: []string{"latency"}, Status: 200, TTFB: 1500 * time.Microsecond, Duration: 2 * time.Second,
		Bytes: 10, Events: 3, Outcome: OutcomeComplete, Complete: true,
		RequestRetry:  map[string]string{"x-stainless-retry-count": "1"},
		ResponseRetry: map[string]string{"retry-after": "2"}}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ttfb_ms":1.5`, `"duration_ms":2000`, `"request_id":"chatcmpl-1"`,
		`"request_retry":{"x-stainless-retry-count":"1"}`, `"response_retry":{"retry-after":"2"}`,
		`"outcome":"complete"`, `"faults":["latency"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
	for _, absent := range []string{"TTFB", "Duration", `"body"`, `"scope"`} {
		if strings.Contains(string(data), absent) {
			t.Errorf("%s has %s", data, absent)
		}
	}
	var back Record
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, r)
	}
}

// A response never sent has status 0 in JSON, not a status it did not
// get, and its outcome says what happened instead.
func TestRecordJSONNoResponse(t *testing.T) {
	data, err := json.Marshal(Record{Rule: "slow", Source: "fault", Faults: []string{"hang"}, Outcome: OutcomeHung})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status":0`, `"outcome":"hung"`, `"complete":false`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
	if strings.Contains(string(data), "retry") {
		t.Errorf("%s has retry headers it was not given", data)
	}
}

// docs/journal.md describes every field of a record and every outcome:
// what a user reads to understand the journal cannot fall behind it.
func TestJournalDocCoversRecords(t *testing.T) {
	data, err := os.ReadFile("../../docs/journal.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, o := range []string{OutcomeComplete, OutcomeCut, OutcomeAborted, OutcomeReset, OutcomeHung, OutcomeClientGone} {
		if !strings.Contains(doc, "| `"+o+"` |") {
			t.Errorf("docs/journal.md has no row for the outcome %s", o)
		}
	}
	fields, err := json.Marshal(Record{Faults: []string{"x"}, RequestRetry: map[string]string{}, ResponseRetry: map[string]string{},
		Scope: "s", Host: "h", Model: "m", Action: "a", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(fields, &m); err != nil {
		t.Fatal(err)
	}
	for name := range m {
		if !strings.Contains(doc, `"`+name+`":`) && !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("docs/journal.md does not name the field %s", name)
		}
	}
}
