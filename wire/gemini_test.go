package wire

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestGeminiErrorBodies(t *testing.T) {
	cases := []struct {
		e    APIError
		want string
	}{
		{APIError{Status: 400, Message: "* GenerateContentRequest.contents: contents is not specified\n"},
			`{"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\n","status":"INVALID_ARGUMENT"}}`},
		{APIError{Status: 401}, `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}`},
		{APIError{Status: 403}, `{"error":{"code":403,"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","status":"PERMISSION_DENIED"}}`},
		{APIError{Status: 404}, `{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}`},
		{APIError{Status: 429, RetryAfter: 45837906927 * time.Nanosecond},
			`{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"45.837906927s"}]}}`},
		{APIError{Status: 503, RetryAfter: time.Second}, `{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}}`},
		{APIError{Status: 400, Code: "API_KEY_INVALID", Message: "API key not valid. Please pass a valid API key."},
			`{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}`},
		{APIError{Status: 500}, `{"error":{"code":500,"message":"An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting","status":"INTERNAL"}}`},
		{APIError{Status: 503}, `{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}`},
		{APIError{Status: 504}, `{"error":{"code":504,"message":"Deadline expired before operation could complete.","status":"DEADLINE_EXCEEDED"}}`},
	}
	for _, c := range cases {
		t.Run(c.e.Error(), func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := WriteError(NewWriter(rec), GeminiDialect{}, &c.e, "abc"); err != nil {
				t.Fatal(err)
			}
			if got := compact(t, rec.Body.Bytes()); rec.Code != c.e.Status || got != c.want {
				t.Errorf("%d\n got %s\nwant %s", rec.Code, got, c.want)
			}
			if rec.Body.Bytes()[1] != '\n' {
				t.Errorf("Google indents its errors: %q", rec.Body.String())
			}
			for k := range rec.Header() {
				if k != "Content-Type" && k != "Content-Length" {
					t.Errorf("unexpected header %s (Google sends no request id)", k)
				}
			}
		})
	}
}

func TestGeminiStreamFraming(t *testing.T) {
	data := []byte(`{"candidates":[{"content":{"parts":[{"text":"."}],"role":"model"},"finishReason":"STOP","index":0}]}`)
	if !Gemini.Terminal(Event{Kind: SSE, Data: data}) {
		t.Error("the response with a finishReason ends the stream")
	}
	if Gemini.Terminal(Event{Kind: SSE, Data: []byte(`{"candidates":[{"content":{"parts":[{"text":"a"}],"role":"model"},"index":0}]}`)}) {
		t.Error("a response without finishReason is not the last")
	}
	ev := Gemini.ErrorEvent(&APIError{Status: 503}, 4)
	if ev.Name != "" || string(ev.Data) != `{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}` {
		t.Errorf("error event %q %s", ev.Name, ev.Data)
	}
	if Gemini.String() != "gemini" {
		t.Errorf("name %q", Gemini.String())
	}
}

func TestGeminiPaths(t *testing.T) {
	cases := []struct {
		path, model, method string
		call, gemini        bool
	}{
		{"/v1beta/models/gemini-2.5-flash:generateContent", "gemini-2.5-flash", "generateContent", true, true},
		{"/v1/models/gemini-2.0-flash:streamGenerateContent", "gemini-2.0-flash", "streamGenerateContent", true, true},
		{"/v1beta/models", "", "", false, true},
		{"/v1beta/models/gemini-2.5-pro", "gemini-2.5-pro", "", false, true},
		{"/v1/models/gpt-4o", "gpt-4o", "", false, false},
		{"/v1/models/ft:gpt-4o-mini:org::abc123", "ft", "gpt-4o-mini:org::abc123", true, false},
		{"/v1/chat/completions", "", "", false, false},
		{"/v1beta/models/:generateContent", "", "", false, true},
		{"/v1beta/openai/chat/completions", "", "", false, false},
	}
	for _, c := range cases {
		model, method, ok := GeminiMethod(c.path)
		if ok != c.call || (ok && (model != c.model || method != c.method)) {
			t.Errorf("GeminiMethod(%s) = %q %q %v", c.path, model, method, ok)
		}
		if got := IsGeminiPath(c.path); got != c.gemini {
			t.Errorf("IsGeminiPath(%s) = %v", c.path, got)
		}
		if got := GeminiModel(c.path); c.gemini && got != c.model {
			t.Errorf("GeminiModel(%s) = %q", c.path, got)
		}
	}
}
