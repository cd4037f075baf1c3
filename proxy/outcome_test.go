package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
)

const outcomesYAML = `version: 1
rules:
  - name: close
    match: {model: close}
    faults: [{abort: {}}]
  - name: rst
    match: {model: rst}
    faults: [{abort: {reset: true}}]
  - name: hang
    match: {model: hang}
    faults: [{hang: {max: 20ms}}]
  - name: cut
    match: {model: cut}
    faults: [{stream: {truncate_after_events: 2}}]
  - name: mid-reset
    match: {model: mid-reset}
    faults: [{stream: {reset_after_events: 2}}]
  - name: mid-error
    match: {model: mid-error}
    faults: [{stream: {error_after_events: 2}}]
  - name: no-done
    match: {model: no-done}
    faults: [{stream: {drop_done: true}}]
  - name: slow
    match: {model: slow}
    faults: [{latency: {dist: constant, value: 1h}}]
  - name: fine
    action: simulate
`

// The journal and the metrics say what the client saw: no status for a
// response never sent, and how each response that did not run to its end
// ended. A status that did go out stays the one sent.
func TestJournalAndMetricsOutcomes(t *testing.T) {
	for _, c := range []struct {
		model      string
		stream     bool
		clientGone bool // the client has left before the request is served
		status     int
		outcome    string
	}{
		{"close", false, false, 0, telemetry.OutcomeAborted},
		{"rst", false, false, 0, telemetry.OutcomeReset},
		{"hang", false, false, 0, telemetry.OutcomeHung},
		{"hang", false, true, 0, telemetry.OutcomeHung},
		{"cut", true, false, 200, telemetry.OutcomeCut},
		{"mid-reset", true, false, 200, telemetry.OutcomeReset},
		{"mid-error", true, false, 200, telemetry.OutcomeCut},
		{"no-done", true, false, 200, telemetry.OutcomeCut},
		{"slow", false, true, 0, telemetry.OutcomeClientGone},
		{"fine", true, false, 200, telemetry.OutcomeComplete},
	} {
		name := c.model
		if c.clientGone {
			name += " client gone"
		}
		t.Run(name, func(t *testing.T) {
			f := observedFrontWith(t, outcomesYAML)
			r := chatRequest(c.model, c.stream)
			if c.clientGone {
				ctx, cancel := context.WithCancel(r.Context())
				cancel()
				r = r.WithContext(ctx)
			}
			serve(f, r, httptest.NewRecorder())
			rec := lastRecord(t, f.Journal)
			if rec.Status != c.status || rec.Outcome != c.outcome || rec.Complete != (c.outcome == telemetry.OutcomeComplete) {
				t.Errorf("status %d outcome %q complete %v, want %d %q", rec.Status, rec.Outcome, rec.Complete, c.status, c.outcome)
			}
			rule := c.model
			if got := metricValue(t, f.Metrics, "llmsim_requests_total", map[string]string{"rule": rule, "status": strconv.Itoa(c.status)}); got != 1 {
				t.Errorf("llmsim_requests_total{status=%q} = %v, want 1", strconv.Itoa(c.status), got)
			}
			if c.status == 0 {
				if got := metricValue(t, f.Metrics, "llmsim_requests_total", map[string]string{"rule": rule, "status": "200"}); got != -1 {
					t.Errorf("a response never sent counted as a 200 (%v)", got)
				}
			}
			want := 1.0
			if c.outcome == telemetry.OutcomeComplete {
				want = -1 // no series at all
			}
			if got := metricValue(t, f.Metrics, "llmsim_requests_incomplete_total", map[string]string{"rule": rule, "outcome": c.outcome}); got != want {
				t.Errorf("llmsim_requests_incomplete_total{outcome=%q} = %v, want %v", c.outcome, got, want)
			}
		})
	}
}

// Over a real connection, where an abort takes the connection over: the
// client gets no status, and neither does the record.
func TestOutcomesOverHTTP(t *testing.T) {
	f := observedFrontWith(t, outcomesYAML)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	for i, model := range []string{"close", "rst"} {
		if resp, err := postModel(t, t.Context(), srv.URL, model); err == nil {
			resp.Body.Close()
			t.Fatalf("%s: the client got a %d", model, resp.StatusCode)
		}
		waitFor(t, func() bool { return f.Journal.Len() == i+1 }) // the handler may still be unwinding
	}
	recs := f.Journal.Query(telemetry.Query{AnyScope: true})
	if recs[0].Status != 0 || recs[0].Outcome != "aborted" || recs[1].Status != 0 || recs[1].Outcome != "reset" {
		t.Errorf("records %+v", recs)
	}
}

// A forward the upstream breaks off mid-stream is cut, and was answered
// by the upstream.
func TestOutcomeUpstreamBrokeOff(t *testing.T) {
	broken := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\n")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	s := newStack(t, forwardYAML, map[string]string{"openai": broken.URL, "ca": broken.caFile(t)}, journaled)
	resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"fwd-x","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	waitFor(t, func() bool { return s.front.Journal.Len() == 1 })
	rec := lastRecord(t, s.front.Journal)
	if rec.Status != 200 || rec.Outcome != telemetry.OutcomeCut || rec.Source != "forwarded" || rec.Complete {
		t.Errorf("record %+v", rec)
	}
}

// journaled gives a stack's front a journal and metrics.
func journaled(f *Front) {
	f.Journal, f.Metrics = telemetry.NewJournal(16), telemetry.NewMetrics("test")
}

// The source is what answered: a forward that sent nothing, or got
// nothing back, was not answered by the upstream.
func TestSourceOfForwardsThatGotNoAnswer(t *testing.T) {
	up := openAIUpstream(t, nil)
	for _, c := range []struct {
		name, config, upstream string
		status                 int
		source                 string
	}{
		{"offline", "upstreams: deny\n" + forwardYAML, up.URL, 403, "refused"},
		{"unreachable", forwardYAML, "https://127.0.0.1:1", 502, "none"},
		{"answered", forwardYAML, up.URL, 200, "forwarded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStack(t, c.config, map[string]string{"openai": c.upstream, "ca": up.caFile(t)}, journaled)
			status, _ := post(t, s.srv.URL+"/v1/chat/completions", `{"model":"fwd-x","messages":[{"role":"user","content":"hi"}]}`, nil)
			rec := lastRecord(t, s.front.Journal)
			if status != c.status || rec.Status != c.status || rec.Source != c.source || rec.Outcome != telemetry.OutcomeComplete {
				t.Errorf("got %d; record %d source %q outcome %q; want %d %q", status, rec.Status, rec.Source, rec.Outcome, c.status, c.source)
			}
		})
	}
}
