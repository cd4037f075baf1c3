package proxy

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	dto "github.com/prometheus/client_model/go"
)

const observeYAML = `version: 1
rules:
  - name: flaky
    match: {model: "gpt-4o*"}
    faults: [{latency: {dist: constant, value: 0s}}]
  - name: limited
    match: {model: limited}
    faults: [{error: {status: 429, retry_after: 2s, should_retry: true}}]
  - name: close
    match: {model: close}
    faults: [{abort: {}}]
  - name: tapes
    match: {model: tape}
    action: replay
`

// observedFront is a front under observeYAML with a journal and metrics.
func observedFront(t *testing.T) *Front { t.Helper(); return observedFrontWith(t, observeYAML) }

// observedFrontWith is a front under a config with a journal and metrics.
func observedFrontWith(t *testing.T, src string) *Front {
	t.Helper()
	cfg, err := config.Parse("observe.yaml", []byte(src), config.Options{TemplateData: simulate.TemplateData{}})
	if err != nil {
		t.Fatal(err)
	}
	live := new(rules.Live)
	live.Store(mustBuild(t, cfg, faults.NewStore(), "test"))
	return &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 42,
		Journal: telemetry.NewJournal(16), Metrics: telemetry.NewMetrics("test")}
}

func chatRequest(model string, stream bool) *http.Request {
	body := `{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]}`
	if stream {
		body = `{"model":"` + model + `","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	}
	r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer sk-very-secret")
	return r
}

// serve runs one request through f's handler, as net/http would: an
// abort's panic is what net/http recovers from.
func serve(f http.Handler, r *http.Request, w http.ResponseWriter) (aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			aborted = true
		}
	}()
	f.ServeHTTP(w, r)
	return false
}

func lastRecord(t *testing.T, j *telemetry.Journal) telemetry.Record {
	t.Helper()
	recs := j.Query(telemetry.Query{AnyScope: true, Limit: 1})
	if len(recs) != 1 {
		t.Fatal("nothing journaled")
	}
	return recs[0]
}

// metricValue is the value of the counter or gauge name whose labels
// include want; -1 when there is none.
func metricValue(t *testing.T, m *telemetry.Metrics, name string, want map[string]string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.Metric {
			if hasLabels(mt, want) {
				switch {
				case mt.Counter != nil:
					return mt.Counter.GetValue()
				case mt.Gauge != nil:
					return mt.Gauge.GetValue()
				case mt.Histogram != nil:
					return float64(mt.Histogram.GetSampleCount())
				}
			}
		}
	}
	return -1
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.Label {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(want)
}

func TestJournalRecordsAStream(t *testing.T) {
	f := observedFront(t)
	r := chatRequest("gpt-4o-mini", true)
	r.Header.Set("X-Stainless-Retry-Count", "2")
	r.Header.Set("X-Stainless-Timeout", "600")
	r.Header.Set(rules.ScopeHeader, "test-1")
	before := time.Now()
	w := httptest.NewRecorder()
	serve(f, r, w)

	rec := lastRecord(t, f.Journal)
	if rec.Rule != "flaky" || !slices.Equal(rec.Faults, []string{"latency"}) || rec.Status != 200 ||
		rec.Source != "simulated" || rec.Provider != "openai" || rec.Model != "gpt-4o-mini" ||
		rec.Path != "/v1/chat/completions" || rec.Method != "POST" || rec.Scope != "test-1" || rec.Host != "api.openai.com" {
		t.Errorf("record %+v", rec)
	}
	if !rec.Stream || !rec.Complete || rec.Events < 3 || rec.Events != strings.Count(w.Body.String(), "data: ") ||
		rec.Bytes != int64(w.Body.Len()) {
		t.Errorf("stream: stream %v complete %v events %d bytes %d; the client got %d bytes",
			rec.Stream, rec.Complete, rec.Events, rec.Bytes, w.Body.Len())
	}
	if rec.RequestID == "" || rec.RequestID != w.Header().Get("X-Request-Id") {
		t.Errorf("request id %q is not the answer's %q", rec.RequestID, w.Header().Get("X-Request-Id"))
	}
	if rec.Time.Before(before) || rec.TTFB <= 0 || rec.TTFB > rec.Duration {
		t.Errorf("time %v (sent after %v), ttfb %v, duration %v", rec.Time, before, rec.TTFB, rec.Duration)
	}
	if want := map[string]string{"x-stainless-retry-count": "2", "x-stainless-timeout": "600"}; !maps.Equal(rec.RequestRetry, want) {
		t.Errorf("request retry headers %v, want %v", rec.RequestRetry, want)
	}
	if rec.ResponseRetry != nil || rec.Outcome != telemetry.OutcomeComplete {
		t.Errorf("response retry headers %v, outcome %q", rec.ResponseRetry, rec.Outcome)
	}
	if rec.Body != "" {
		t.Error("a body was kept without JournalBodies")
	}

	m := f.Metrics
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmsim_requests_total", map[string]string{"provider": "openai", "rule": "flaky", "source": "simulated", "status": "200"}, 1},
		{"llmsim_fault_injections_total", map[string]string{"rule": "flaky", "type": "latency"}, 1},
		{"llmsim_time_to_first_token_seconds", map[string]string{"provider": "openai"}, 1},
		{"llmsim_inter_token_latency_seconds", map[string]string{"provider": "openai"}, 1},
		{"llmsim_request_duration_seconds", map[string]string{"provider": "openai"}, 1},
		{"llmsim_active_streams", nil, 0},
	} {
		if got := metricValue(t, m, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// The journal's record of a fault's answer: the source is the fault, and
// the retry advice it sent is kept apart from the client's retry headers.
func TestJournalRecordsAFaultsAnswer(t *testing.T) {
	f := observedFront(t)
	r := chatRequest("limited", false)
	r.Header.Set("X-Stainless-Retry-Count", "1")
	serve(f, r, httptest.NewRecorder())
	rec := lastRecord(t, f.Journal)
	if rec.Source != "fault" || rec.Status != 429 || rec.Rule != "limited" || !rec.Complete || rec.Stream ||
		!slices.Equal(rec.Faults, []string{"error"}) {
		t.Errorf("record %+v", rec)
	}
	if want := map[string]string{"x-stainless-retry-count": "1"}; !maps.Equal(rec.RequestRetry, want) {
		t.Errorf("request retry headers %v, want %v", rec.RequestRetry, want)
	}
	if want := map[string]string{"retry-after": "2", "retry-after-ms": "2000", "x-should-retry": "true"}; !maps.Equal(rec.ResponseRetry, want) {
		t.Errorf("response retry headers %v, want %v", rec.ResponseRetry, want)
	}
	if got := metricValue(t, f.Metrics, "llmsim_requests_total", map[string]string{"rule": "limited", "source": "fault", "status": "429"}); got != 1 {
		t.Errorf("requests %v", got)
	}
}

func TestJournalRecordsRefusals(t *testing.T) {
	f := observedFront(t)
	serve(f, chatRequest("tape", false), httptest.NewRecorder()) // a replay with no recording
	if rec := lastRecord(t, f.Journal); rec.Source != "refused" || rec.Status != 404 || rec.Rule != "tapes" {
		t.Errorf("replay miss: %+v", rec)
	}

	f.MaxBody = 8
	r := chatRequest("gpt-4o", false)
	r.Header.Set(rules.ScopeHeader, "s")
	serve(f, r, httptest.NewRecorder())
	if rec := lastRecord(t, f.Journal); rec.Source != "refused" || rec.Status != 413 || rec.Rule != "default" ||
		rec.Scope != "s" || rec.Provider != "openai" || !rec.Complete {
		t.Errorf("body too large: %+v", rec)
	}
}

// A fault that aborts the connection unwinds the handler with a panic;
// the request is journaled all the same, as incomplete.
func TestJournalRecordsAnAbort(t *testing.T) {
	f := observedFront(t)
	if !serve(f, chatRequest("close", true), httptest.NewRecorder()) {
		t.Fatal("the abort fault did not abort")
	}
	rec := lastRecord(t, f.Journal)
	if rec.Complete || rec.Source != "fault" || rec.Rule != "close" || !slices.Equal(rec.Faults, []string{"abort"}) {
		t.Errorf("record %+v", rec)
	}
	if got := metricValue(t, f.Metrics, "llmsim_fault_injections_total", map[string]string{"rule": "close", "type": "abort"}); got != 1 {
		t.Errorf("abort counted %v times", got)
	}
}

// Over a real connection, where the abort takes the connection over.
func TestJournalRecordsAnAbortOverHTTP(t *testing.T) {
	f := observedFront(t)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if _, err := postModel(t, t.Context(), srv.URL, "close"); err == nil {
		t.Fatal("the connection was not dropped")
	}
	// The handler may still be unwinding when the client sees the EOF.
	waitFor(t, func() bool { return f.Journal.Len() == 1 })
	if rec := lastRecord(t, f.Journal); rec.Complete || rec.Rule != "close" {
		t.Errorf("record %+v", rec)
	}
}

// streamProbe reads the active-streams gauge while the stream is being
// written.
type streamProbe struct {
	*httptest.ResponseRecorder
	t      *testing.T
	m      *telemetry.Metrics
	during float64
}

func (p *streamProbe) Write(b []byte) (int, error) {
	p.during = metricValue(p.t, p.m, "llmsim_active_streams", nil)
	return p.ResponseRecorder.Write(b)
}

func TestActiveStreams(t *testing.T) {
	f := observedFront(t)
	p := &streamProbe{ResponseRecorder: httptest.NewRecorder(), t: t, m: f.Metrics}
	serve(f, chatRequest("gpt-4o", true), p)
	if p.during != 1 {
		t.Errorf("%v streams active while one was written", p.during)
	}
	if got := metricValue(t, f.Metrics, "llmsim_active_streams", nil); got != 0 {
		t.Errorf("%v active after it ended", got)
	}
	p = &streamProbe{ResponseRecorder: httptest.NewRecorder(), t: t, m: f.Metrics}
	serve(f, chatRequest("gpt-4o", false), p)
	if p.during != 0 {
		t.Errorf("a plain answer counted as a stream: %v", p.during)
	}
	// An abort mid-stream ends the stream too.
	serve(f, chatRequest("close", true), httptest.NewRecorder())
	if got := metricValue(t, f.Metrics, "llmsim_active_streams", nil); got != 0 {
		t.Errorf("%v active after an abort", got)
	}
}

// The action the rule chose is recorded (the dispatcher hands it over
// through exchange.setAction).
func TestJournalRecordsTheAction(t *testing.T) {
	f := observedFront(t)
	serve(f, chatRequest("tape", false), httptest.NewRecorder())
	if rec := lastRecord(t, f.Journal); rec.Action != "replay" {
		t.Errorf("action %q, want replay", rec.Action)
	}
	serve(f, chatRequest("gpt-4o", false), httptest.NewRecorder())
	if rec := lastRecord(t, f.Journal); rec.Action != "simulate" {
		t.Errorf("action %q, want simulate", rec.Action)
	}
}

func TestJournalBodies(t *testing.T) {
	f := observedFront(t)
	f.JournalBodies, f.JournalMaxBody = true, 10
	serve(f, chatRequest("gpt-4o", false), httptest.NewRecorder())
	if rec := lastRecord(t, f.Journal); rec.Body != `{"model":"` {
		t.Errorf("body %q", rec.Body)
	}
}

func TestCutBody(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "h"}, // é is two bytes: not cut in half
		{"héllo", 3, "hé"},
		{"a😀b", 4, "a"},
		{"a😀b", 5, "a😀"},
		{strings.Repeat("x", 70<<10), 0, strings.Repeat("x", 64<<10)},
		{"\x80\x80\x80\x80\x80\x80", 4, "\x80"}, // not UTF-8: backs up no more than a character's length
	} {
		if got := cutBody([]byte(tc.in), tc.limit); got != tc.want {
			t.Errorf("cutBody(%.12q, %d) = %.12q, want %.12q", tc.in, tc.limit, got, tc.want)
		}
	}
}
