package main

import (
	"net/http"
	"strings"
	"testing"
)

// A rule that takes two providers' requests limits each by itself, as
// each provider has a quota of its own, and /metrics tells the limits
// apart by provider and kind: requests and tokens never mix.
func TestRateLimitPerProviderAndKind(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, `version: 1
simulate: {ttft: {dist: constant, value: 0s}, itl: {dist: constant, value: 0s}}
rules:
  - name: quota
    faults: [{rate_limit: {requests_per_minute: 1, tokens_per_minute: 100000}}]
`))
	call := func(path, body string, headers map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+proxyAddr+path, strings.NewReader(body))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	chat := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	message := `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	anthropic := map[string]string{"Anthropic-Version": "2023-06-01", "X-Api-Key": "k"}
	if got := []int{call("/v1/chat/completions", chat, nil), call("/v1/chat/completions", chat, nil),
		call("/v1/messages", message, anthropic)}; got[0] != 200 || got[1] != 429 || got[2] != 200 {
		t.Fatalf("statuses %v: want OpenAI's second call refused and Anthropic's first admitted", got)
	}

	families := scrapeFamilies(t, adminAddr)
	left := map[string]float64{}
	for _, m := range families["llmsim_rate_limit_remaining"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		left[labels["rule"]+" "+labels["provider"]+" "+labels["kind"]] = m.GetGauge().GetValue()
	}
	if len(left) != 4 || left["quota openai requests"] != 0 || left["quota anthropic requests"] != 0 {
		t.Fatalf("llmsim_rate_limit_remaining %v", left)
	}
	for _, p := range []string{"openai", "anthropic"} {
		if v := left["quota "+p+" tokens"]; v <= 99000 || v >= 100000 {
			t.Errorf("%s tokens left: %v, want one call's tokens taken from 100000", p, v)
		}
	}
}
