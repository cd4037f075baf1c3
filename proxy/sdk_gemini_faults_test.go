package proxy

// The rules and faults as Google's SDK experiences them.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"google.golang.org/genai"
)

const geminiFaultsYAML = `version: 1
rules:
  - name: quota
    match: {provider: gemini, model: "quota-*"}
    faults:
      - error: {status: 429, retry_after: 2s, times: 2}
  - name: limited
    match: {provider: gemini, model: "rl-*"}
    faults:
      - rate_limit: {requests_per_minute: 1}
  - name: busy
    match: {provider: gemini, model: "busy-*"}
    faults:
      - error: {status: 503}
  - name: cut
    match: {provider: gemini, model: "cut-*", stream: true}
    faults:
      - stream: {truncate_after_events: 2}
  - name: broken
    match: {provider: gemini, model: "broken-*", stream: true}
    faults:
      - stream: {error_after_events: 2}
  - name: scripted
    match: {provider: gemini, model: "scripted-*"}
    respond:
      sequence:
        - {tool_calls: [{name: get_weather, arguments: {city: Oslo}}]}
        - {text: "It is sunny in Oslo.", finish_reason: length}
  - name: rest
    action: simulate
`

// geminiRulesServer serves a config over an instant simulator with a
// request journal, which is how a test counts what the SDK sent.
func geminiRulesServer(t *testing.T, yaml string) (*httptest.Server, *Front) {
	t.Helper()
	f := rulesFront(t, yaml, nil)
	f.Journal = telemetry.NewJournal(64)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv, f
}

func asGeminiError(t *testing.T, err error) genai.APIError {
	t.Helper()
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want a genai.APIError, got %v", err)
	}
	return apiErr
}

// retryDelayOf is the RetryInfo detail's retryDelay, "" when absent.
func retryDelayOf(e genai.APIError) string {
	for _, d := range e.Details {
		if d["@type"] == "type.googleapis.com/google.rpc.RetryInfo" {
			s, _ := d["retryDelay"].(string)
			return s
		}
	}
	return ""
}

// "Two 429s, then an answer": the SDK's own retry logic sees each 429
// and retries; the journal counts three attempts. With a single attempt
// the SDK reports RESOURCE_EXHAUSTED with its RetryInfo.
func TestGeminiSDKRetriesA429(t *testing.T) {
	srv, f := geminiRulesServer(t, geminiFaultsYAML)
	attempts, delay := int32(3), 0.001
	retrying := geminiSDK(t, srv.URL, srv.Client(), &genai.HTTPRetryOptions{Attempts: &attempts, InitialDelay: &delay, MaxDelay: &delay})
	resp, err := retrying.Models.GenerateContent(t.Context(), "quota-model", genai.Text("Hello"), nil)
	if err != nil || resp.Text() == "" {
		t.Fatalf("after two 429s: %v %+v", err, resp)
	}
	recs := f.Journal.Query(telemetry.Query{AnyScope: true})
	if len(recs) != 3 || recs[0].Status != 429 || recs[1].Status != 429 || recs[2].Status != 200 {
		t.Fatalf("journal %+v", recs)
	}
	if recs[0].Model != "quota-model" || recs[0].Provider != "gemini" || recs[0].Rule != "quota" {
		t.Errorf("journal record %+v: model, provider and rule come from the path", recs[0])
	}

	srv2, _ := geminiRulesServer(t, geminiFaultsYAML)
	once := geminiSDK(t, srv2.URL, srv2.Client(), nil)
	_, err = once.Models.GenerateContent(t.Context(), "quota-model", genai.Text("Hello"), nil)
	e := asGeminiError(t, err)
	if e.Code != 429 || e.Status != "RESOURCE_EXHAUSTED" || !strings.Contains(e.Message, "quota") || retryDelayOf(e) != "2s" {
		t.Errorf("429 as the SDK reads it: %+v", e)
	}
}

// A rate limit refuses in Google's words, with RetryInfo and no
// x-ratelimit headers (Google sends none).
func TestGeminiRateLimitRefusal(t *testing.T) {
	srv, _ := geminiRulesServer(t, geminiFaultsYAML)
	gc := geminiSDK(t, srv.URL, srv.Client(), nil)
	first, err := gc.Models.GenerateContent(t.Context(), "rl-model", genai.Text("Hello"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range first.SDKHTTPResponse.Headers {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit") {
			t.Errorf("Gemini answer carries %s", k)
		}
	}
	_, err = gc.Models.GenerateContent(t.Context(), "rl-model", genai.Text("Hello"), nil)
	e := asGeminiError(t, err)
	if e.Code != 429 || e.Status != "RESOURCE_EXHAUSTED" || !strings.Contains(e.Message, "model: rl-model") || retryDelayOf(e) == "" {
		t.Errorf("refusal %+v", e)
	}
}

// An error fault with only a status answers Google's status object;
// asked for a stream, the answer is still the JSON error, before the
// stream begins.
func TestGeminiErrorFaultShape(t *testing.T) {
	srv, _ := geminiRulesServer(t, geminiFaultsYAML)
	gc := geminiSDK(t, srv.URL, srv.Client(), nil)
	_, err := gc.Models.GenerateContent(t.Context(), "busy-model", genai.Text("Hello"), nil)
	if e := asGeminiError(t, err); e.Code != 503 || e.Status != "UNAVAILABLE" || e.Message != "The model is overloaded. Please try again later." {
		t.Errorf("503 %+v", e)
	}
	for _, err := range gc.Models.GenerateContentStream(t.Context(), "busy-model", genai.Text("Hello"), nil) {
		if e := asGeminiError(t, err); e.Code != 503 || e.Status != "UNAVAILABLE" {
			t.Errorf("stream 503 %+v", e)
		}
		break
	}
	resp, body := geminiPost(t, srv, "busy-model")
	limited, quota := geminiPost(t, srv, "quota-model")
	if limited.StatusCode != 429 || limited.Header.Get("Retry-After") != "" || !strings.Contains(quota, `"retryDelay": "2s"`) {
		t.Errorf("Gemini says when to retry in RetryInfo alone: %d %v %s", limited.StatusCode, limited.Header, quota)
	}
	want := "{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is overloaded. Please try again later.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n"
	if body != want || resp.Header.Get("X-Request-Id") != "" {
		t.Errorf("body %q, headers %v", body, resp.Header)
	}
}

// Stream faults end a Gemini stream Google's way: truncation leaves out
// the response with the finishReason; the in-stream error is a data
// event the SDK raises as an API error.
func TestGeminiStreamFaults(t *testing.T) {
	srv, _ := geminiRulesServer(t, geminiFaultsYAML)
	gc := geminiSDK(t, srv.URL, srv.Client(), nil)
	var got []*genai.GenerateContentResponse
	for chunk, err := range gc.Models.GenerateContentStream(t.Context(), "cut-model", genai.Text("Hello"), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, chunk)
	}
	if len(got) != 2 {
		t.Fatalf("truncated after 2 events, the SDK saw %d", len(got))
	}
	for _, c := range got {
		if c.Candidates[0].FinishReason != "" {
			t.Errorf("a truncated stream kept its finishReason")
		}
	}

	var seen int
	var streamErr error
	for chunk, err := range gc.Models.GenerateContentStream(t.Context(), "broken-model", genai.Text("Hello"), nil) {
		if err != nil {
			streamErr = err
			break
		}
		seen += len(chunk.Candidates)
	}
	e := asGeminiError(t, streamErr)
	if seen != 2 || e.Code != 500 || e.Status != "INTERNAL" {
		t.Errorf("after %d chunks: %+v", seen, e)
	}
}

// explain names the model and stream flag the path gives.
func TestGeminiExplain(t *testing.T) {
	_, f := geminiRulesServer(t, geminiFaultsYAML)
	ex, err := f.Explain(http.MethodPost, "/v1beta/models/cut-model:streamGenerateContent?alt=sse",
		http.Header{"X-Goog-Api-Key": {"k"}}, []byte(`{"contents":[{"parts":[{"text":"x"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Dialect != "gemini" || ex.Model != "cut-model" || !ex.Stream || ex.Rule != "cut" {
		t.Errorf("explain %+v", ex)
	}
}

// A rule's scripted answers reach the SDK in Gemini's shape: a function
// call, then text ending in MAX_TOKENS.
func TestGeminiScriptedAnswers(t *testing.T) {
	srv, _ := geminiRulesServer(t, geminiFaultsYAML)
	gc := geminiSDK(t, srv.URL, srv.Client(), nil)
	first, err := gc.Models.GenerateContent(t.Context(), "scripted-model", genai.Text("Weather?"), geminiWeatherTools())
	if err != nil {
		t.Fatal(err)
	}
	if fc := first.FunctionCalls(); len(fc) != 1 || fc[0].Name != "get_weather" || fc[0].Args["city"] != "Oslo" {
		t.Errorf("scripted call %+v", fc)
	}
	var text string
	var finish genai.FinishReason
	for chunk, err := range gc.Models.GenerateContentStream(t.Context(), "scripted-model", genai.Text("Weather?"), nil) {
		if err != nil {
			t.Fatal(err)
		}
		text += chunk.Text()
		if f := chunk.Candidates[0].FinishReason; f != "" {
			finish = f
		}
	}
	if text != "It is sunny in Oslo." || finish != genai.FinishReasonMaxTokens {
		t.Errorf("scripted text %q, finish %s", text, finish)
	}
}
