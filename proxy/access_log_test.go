package proxy

import (
	"bytes"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/rs/zerolog"
)

// The access line carries what took the request and how it ended, and
// never a header or a body: no key reaches the log.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	f := observedFront(t)
	f.Journal, f.Metrics = nil, nil
	f.AccessLog, f.Log = true, zerolog.New(&buf)
	r := chatRequest("gpt-4o", true)
	r.Header.Set("X-Stainless-Retry-Count", "3")
	serve(f, r, httptest.NewRecorder())
	r = httptest.NewRequest("POST", "/v1/messages", strings.NewReader(`{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`))
	r.Header.Set("X-Api-Key", "sk-ant-secret")
	r.Header.Set("Anthropic-Version", "2023-06-01")
	serve(f, r, httptest.NewRecorder())
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two lines, got %q", buf.String())
	}
	for _, want := range []string{`"request_id":"req_`, `"provider":"openai"`, `"method":"POST"`, `"path":"/v1/chat/completions"`,
		`"model":"gpt-4o"`, `"scope":""`, `"rule":"flaky"`, `"action":"simulate"`, `"source":"simulated"`, `"faults":["latency"]`,
		`"status":200`, `"ttfb_ms":`, `"duration_ms":`, `"bytes":`, `"events":`, `"outcome":"complete"`, `"complete":true`,
		`"message":"request"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("the line lacks %s: %s", want, lines[0])
		}
	}
	if !strings.Contains(lines[1], `"provider":"anthropic"`) || !strings.Contains(lines[1], `"status":200`) {
		t.Errorf("anthropic line: %s", lines[1])
	}
	for _, secret := range []string{"sk-very-secret", "sk-ant-secret", "Bearer", "uthorization", "pi-Key", "messages\":", "stainless"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log carries %q: %s", secret, buf.String())
		}
	}
}

// One line in LogSample; errors always.
func TestAccessLogSample(t *testing.T) {
	var buf bytes.Buffer
	f := observedFront(t)
	f.AccessLog, f.Log, f.LogSample = true, zerolog.New(&buf), 3
	for range 9 {
		serve(f, chatRequest("gpt-4o", false), httptest.NewRecorder())
	}
	serve(f, chatRequest("limited", false), httptest.NewRecorder())
	serve(f, chatRequest("close", false), httptest.NewRecorder())
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 || !strings.Contains(lines[3], `"status":429`) || !strings.Contains(lines[4], `"status":0`) ||
		!strings.Contains(lines[4], `"outcome":"aborted"`) {
		t.Errorf("want 3 sampled lines and both errors, got %d:\n%s", len(lines), buf.String())
	}
	if f.Journal.Len() != 11 {
		t.Errorf("sampling the log sampled the journal: %d records", f.Journal.Len())
	}
}

// For a person at a terminal the access line is brief: the request, its
// status and time, then what took it, the faults that fired and, when it
// did not run to its end, how it ended.
func TestAccessLogBrief(t *testing.T) {
	var buf bytes.Buffer
	f := observedFrontWith(t, outcomesYAML)
	f.AccessLog, f.AccessConsole = true, true
	f.Log = zerolog.New(zerolog.ConsoleWriter{Out: &buf, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName}})
	serve(f, chatRequest("gpt-4o", false), httptest.NewRecorder())
	serve(f, chatRequest("close", false), httptest.NewRecorder())
	serve(f, chatRequest("cut", true), httptest.NewRecorder())
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want three lines, got %q", buf.String())
	}
	for i, want := range []*regexp.Regexp{
		regexp.MustCompile(`^INF POST /v1/chat/completions 200 \d+\.\dms action=simulate rule=fine$`),
		regexp.MustCompile(`^INF POST /v1/chat/completions - \d+\.\dms action=simulate faults=abort outcome=aborted rule=close$`),
		regexp.MustCompile(`^INF POST /v1/chat/completions 200 \d+\.\dms action=simulate faults=stream outcome=cut rule=cut$`),
	} {
		if !want.MatchString(lines[i]) {
			t.Errorf("line %d: %q, want %s", i, lines[i], want)
		}
	}
}

func TestAccessSummary(t *testing.T) {
	for _, c := range []struct {
		rec  telemetry.Record
		want string
	}{
		{telemetry.Record{Method: "POST", Path: "/v1/messages", Status: 529, Duration: 12345 * time.Microsecond}, "POST /v1/messages 529 12.3ms"},
		{telemetry.Record{Method: "POST", Path: "/v1/chat/completions", Duration: 30 * time.Second}, "POST /v1/chat/completions - 30000.0ms"},
		{telemetry.Record{Method: "GET", Path: "/v1/models", Status: 200, Duration: 40 * time.Microsecond}, "GET /v1/models 200 0.0ms"},
	} {
		if got := accessSummary(&c.rec); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
