package faults

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/internal/dist"
)

func TestLatencyWaitsADraw(t *testing.T) {
	x, c := testExchange("openai")
	_, w := recorder()
	answered, err := (&Latency{D: dist.Constant{V: float64(250 * time.Millisecond)}}).Admit(context.Background(), x, w)
	if answered || err != nil {
		t.Fatalf("answered %v err %v", answered, err)
	}
	if s := c.Sleeps(); len(s) != 1 || s[0] != 250*time.Millisecond {
		t.Fatalf("slept %v", s)
	}
}

func TestTimingFaultsSetTheSimulatorsTiming(t *testing.T) {
	x, _ := testExchange("openai")
	ttft, itl := dist.Constant{V: 1}, dist.Constant{V: 2}
	_, _ = (&TTFT{D: ttft}).Admit(context.Background(), x, nil)
	_, _ = (&ITL{D: itl}).Admit(context.Background(), x, nil)
	if x.TTFT != ttft || x.ITL != itl {
		t.Fatalf("exchange timing %v %v", x.TTFT, x.ITL)
	}
	if s := (&ITL{D: itl}).Wrap(context.Background(), x, nil); s != nil {
		t.Fatal("a simulated response was wrapped for pacing twice")
	}
}

func TestErrorAnswersInTheProvidersShape(t *testing.T) {
	yes := true
	cases := []struct {
		provider string
		fault    Error
		status   int
		body     string
		header   map[string]string
	}{
		{"openai", Error{Status: 429, RetryAfter: units.Duration(1500 * time.Millisecond)}, 429, `"code": "rate_limit_exceeded"`,
			map[string]string{"Retry-After": "2", "Retry-After-Ms": "1500", "X-Request-Id": "req_test"}},
		{"openai", Error{Status: 429, Code: "insufficient_quota"}, 429, `"type": "insufficient_quota"`, nil},
		{"openai", Error{Status: 500, Message: "boom", ShouldRetry: &yes}, 500, `"message": "boom"`, map[string]string{"X-Should-Retry": "true"}},
		{"anthropic", Error{Status: 529, RetryAfter: units.Duration(time.Second)}, 529, `"type":"overloaded_error"`,
			map[string]string{"Retry-After": "1", "Retry-After-Ms": "", "Request-Id": "req_test"}},
		{"anthropic", Error{Status: 401, Headers: map[string]string{"X-Extra": "1"}}, 401, `"type":"authentication_error"`, map[string]string{"X-Extra": "1"}},
		{"azure", Error{Status: 429, RetryAfter: units.Duration(1500 * time.Millisecond)}, 429, `{"error":{"code":"429","message":"Rate limit is exceeded.`,
			map[string]string{"Retry-After": "2", "Retry-After-Ms": "1500", "Apim-Request-Id": "req_test"}},
		{"azure", Error{Status: 404}, 404, `"code":"DeploymentNotFound"`, nil},
		{"azure", Error{Status: 400}, 400, `"code": "content_filter"`, nil},
		{"azure", Error{Status: 400, Code: "context_length_exceeded"}, 400, `"code": "context_length_exceeded"`, nil},
	}
	for _, c := range cases {
		t.Run(c.provider+c.fault.Code+c.fault.Message, func(t *testing.T) {
			x, _ := testExchange(c.provider)
			rec, w := recorder()
			if answered, err := c.fault.Admit(context.Background(), x, w); !answered || err != nil {
				t.Fatalf("answered %v err %v", answered, err)
			}
			if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.body) || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			for k, v := range c.header {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestRawAnswersVerbatim(t *testing.T) {
	x, _ := testExchange("openai")
	rec, w := recorder()
	page := "<html><body>502 Bad Gateway</body></html>"
	if _, err := (&Raw{Status: 502, ContentType: "text/html", Body: page}).Admit(context.Background(), x, w); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 502 || rec.Body.String() != page || rec.Header().Get("Content-Type") != "text/html" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

func TestAbortAndHang(t *testing.T) {
	x, c := testExchange("openai")
	if !aborted(func() { _, _ = (&Abort{Reset: true}).Admit(context.Background(), x, nil) }) {
		t.Fatal("abort did not drop the connection")
	}
	if !aborted(func() { _, _ = (&Hang{Max: units.Duration(time.Minute)}).Admit(context.Background(), x, nil) }) {
		t.Fatal("a hang that reached its max did not close the connection")
	}
	if s := c.Sleeps(); len(s) != 1 || s[0] != time.Minute {
		t.Fatalf("hang slept %v", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if answered, err := (&Hang{}).Admit(ctx, x, nil); !answered || err == nil {
		t.Fatal("a hang outlived its client")
	}
}
