package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The journal shows an official SDK retrying: three calls a second apart
// (the retry-after the fault sends), their retry counts, two 503s and a
// success.
func TestJournalShowsSDKRetries(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, `version: 1
simulate: {ttft: {dist: constant, value: 0s}, itl: {dist: constant, value: 0s}}
rules:
  - name: flaky
    match: {scope: retry-test}
    faults: [{error: {status: 503, times: 2, retry_after: 1s}}]
`))
	c := openai.NewClient(option.WithBaseURL("http://"+proxyAddr+"/v1"), option.WithAPIKey("sk-test"),
		option.WithMaxRetries(2), option.WithHeader("X-Llmsim-Scope", "retry-test"))
	if _, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "gpt-4o",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}); err != nil {
		t.Fatalf("the SDK gave up: %v", err)
	}
	var got struct {
		Requests []struct {
			Time   time.Time         `json:"time"`
			Status int               `json:"status"`
			Rule   string            `json:"rule"`
			Faults []string          `json:"faults"`
			Retry  map[string]string `json:"request_retry"`
		} `json:"requests"`
	}
	out, _, err := ctlRun(adminAddr, "--json", "requests", "--scope", "retry-test")
	if err != nil || json.Unmarshal([]byte(out), &got) != nil || len(got.Requests) != 3 {
		t.Fatalf("journal: %v\n%s", err, out)
	}
	for i, r := range got.Requests {
		want := 503
		if i == 2 {
			want = 200
		}
		if r.Status != want || r.Rule != "flaky" || r.Retry["x-stainless-retry-count"] != []string{"0", "1", "2"}[i] {
			t.Errorf("request %d: %+v", i, r)
		}
		if i > 0 {
			if gap := r.Time.Sub(got.Requests[i-1].Time); gap < 900*time.Millisecond {
				t.Errorf("retry %d came %v after the last call, before the 1s retry-after", i, gap)
			}
		}
	}
}

// ctl requests shows what the client saw: no status for a response never
// sent and how it ended, the client's retry headers apart from the retry
// advice the answer gave.
func TestCtlRequestsShowsOutcomesAndRetryHeaders(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, `version: 1
rules:
  - name: limited
    match: {headers: {x-test: limited}}
    faults: [{error: {status: 429, retry_after: 2s}}]
  - name: dropped
    match: {headers: {x-test: dropped}}
    faults: [{abort: {}}]
`))
	proxyCall(t, proxyAddr, map[string]string{"X-Test": "limited", "X-Stainless-Retry-Count": "1"})
	req, _ := http.NewRequest("POST", "http://"+proxyAddr+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("X-Test", "dropped")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the abort sent a %d", resp.StatusCode)
	}
	var out string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if out, _, err = ctlRun(adminAddr, "requests"); err != nil {
			t.Fatal(err)
		}
		if strings.Count(out, "\n") == 3 || time.Now().After(deadline) { // the abort is journalled as its handler unwinds
			break
		}
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	want := [][]string{
		{"TIME", "PROVIDER", "METHOD", "PATH", "MODEL", "SCOPE", "RULE", "SOURCE", "STATUS", "OUTCOME", "FAULTS", "TTFB", "DURATION", "REQ-RETRY", "RESP-RETRY"},
		{"openai", "POST", "/v1/chat/completions", "gpt-4o", "-", "limited", "fault", "429", "complete", "error", "x-stainless-retry-count=1", "retry-after-ms=2000,retry-after=2"},
		{"openai", "POST", "/v1/chat/completions", "gpt-4o", "-", "dropped", "fault", "-", "aborted", "abort", "-", "-"},
	}
	if len(rows) != 3 {
		t.Fatalf("ctl requests:\n%s", out)
	}
	for i, row := range rows {
		cols := strings.Fields(row)
		if i > 0 { // the time, and the two durations, vary
			cols = append(cols[1:11], cols[13:]...)
		}
		if !slices.Equal(cols, want[i]) {
			t.Errorf("row %d: %q\nwant %q", i, cols, want[i])
		}
	}
}

// /metrics is Prometheus text that moves with traffic.
func TestMetricsMoveWithTraffic(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, adminRules))
	before := scrape(t, adminAddr)
	proxyCall(t, proxyAddr, nil)
	proxyCall(t, proxyAddr, map[string]string{"X-Test": "boom"})
	after := scrape(t, adminAddr)
	if d := after.sum("llmsim_requests_total") - before.sum("llmsim_requests_total"); d != 2 {
		t.Errorf("requests_total moved by %v", d)
	}
	if d := after.sum("llmsim_fault_injections_total") - before.sum("llmsim_fault_injections_total"); d != 1 {
		t.Errorf("fault_injections_total moved by %v", d)
	}
	for _, name := range []string{"llmsim_build_info", "llmsim_request_duration_seconds", "llmsim_cache_hits_total", "llmsim_active_streams"} {
		if _, ok := after[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
}

type metrics map[string]float64

// sum adds every sample of a counter or gauge family.
func (m metrics) sum(name string) float64 { return m[name] }

func scrape(t *testing.T, adminAddr string) metrics {
	t.Helper()
	m := metrics{}
	for name, f := range scrapeFamilies(t, adminAddr) {
		total := 0.0
		for _, s := range f.Metric {
			switch {
			case s.Counter != nil:
				total += s.Counter.GetValue()
			case s.Gauge != nil:
				total += s.Gauge.GetValue()
			case s.Histogram != nil:
				total += float64(s.Histogram.GetSampleCount())
			}
		}
		m[name] = total
	}
	return m
}

// scrapeFamilies reads /metrics as Prometheus would.
func scrapeFamilies(t *testing.T, adminAddr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + adminAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("not Prometheus text: %v", err)
	}
	return families
}

// ctl drives every endpoint a script needs, tables by default and JSON
// with --json; a refused call exits non-zero with the server's message.
func TestCtlEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, adminRules+"cache: {dir: "+filepath.Join(dir, "tapes")+"}\n")
	proxyAddr, adminAddr, _ := startServe(t, cfg)
	proxyCall(t, proxyAddr, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status"}, "ready: yes"},
		{[]string{"rules"}, "boom"},
		{[]string{"fault", "add", "--scope", "s9", "--error", "429", "--ttl", "30s"}, "added f"},
		{[]string{"fault", "ls"}, "s9"},
		{[]string{"requests"}, "/v1/chat/completions"},
		{[]string{"cache"}, "recordings: 0"},
		{[]string{"config"}, `"rules"`},
		{[]string{"explain", "--url", "/v1/chat/completions", "--header", "x-test: once", "--body", `{"model":"gpt-4o"}`}, "rule once"},
		{[]string{"reset"}, "reset every scope"},
	} {
		out, errOut, err := ctlRun(adminAddr, tc.args...)
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("ctl %v: %v %s\n%s", tc.args, err, errOut, out)
		}
	}
	out, _, err := ctlRun(adminAddr, "--json", "rules")
	if err != nil || !json.Valid([]byte(out)) {
		t.Errorf("--json rules: %v %s", err, out)
	}
	if _, _, err := ctlRun(adminAddr, "fault", "rm", "f-none"); err == nil || !strings.Contains(err.Error(), "no temporary fault") {
		t.Errorf("removing a fault that is not there: %v", err)
	}
	archive := filepath.Join(dir, "tapes.tar.gz")
	if out, _, err := ctlRun(adminAddr, "cache", "export", archive); err != nil || !strings.Contains(out, "wrote") {
		t.Errorf("export: %v %s", err, out)
	}
	if _, err := os.Stat(archive); err != nil {
		t.Error(err)
	}
	if out, _, err := ctlRun(adminAddr, "cache", "import", archive); err != nil || !strings.Contains(out, "imported 0") {
		t.Errorf("import: %v %s", err, out)
	}
}
