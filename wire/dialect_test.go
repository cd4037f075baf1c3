package wire

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestWriteErrorShapes(t *testing.T) {
	cases := []struct {
		d          Dialect
		e          APIError
		wantStatus int
		wantBody   string
		idHeader   string
	}{
		{OpenAIDialect{}, APIError{Status: 400, Message: "Missing required parameter: 'messages'.", Param: "messages", Code: "missing_required_parameter"}, 400,
			`{"error":{"message":"Missing required parameter: 'messages'.","type":"invalid_request_error","param":"messages","code":"missing_required_parameter"}}`, "X-Request-Id"},
		{OpenAIDialect{}, APIError{Status: 429}, 429,
			`{"error":{"message":"Rate limit reached for requests. Please try again later.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`, "X-Request-Id"},
		{OpenAIDialect{}, APIError{Status: 503}, 503,
			`{"error":{"message":"The server is overloaded or not ready yet.","type":"server_error","param":null,"code":null}}`, "X-Request-Id"},
		{AzureDialect{}, *Canned(AzureDialect{}, 429, ""), 429,
			`{"error":{"code":"429","message":"Rate limit is exceeded. Try again in 1 seconds."}}`, "Apim-Request-Id"},
		{AzureDialect{}, *Canned(AzureDialect{}, 404, ""), 404,
			`{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}}`, "Apim-Request-Id"},
		{AzureDialect{}, APIError{Status: 401}, 401,
			`{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}`, "Apim-Request-Id"},
		{AzureDialect{}, *Canned(AzureDialect{}, 400, ""), 400,
			`{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}}}`, "Apim-Request-Id"},
		{AzureDialect{}, *Canned(AzureDialect{}, 500, ""), 500,
			`{"error":{"message":"The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists. (Please include the request ID req_1 in your message.)","type":"server_error","param":null,"code":null}}`, "Apim-Request-Id"},
		{AnthropicDialect{}, APIError{Status: 529}, 529,
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}`, "Request-Id"},
		{AnthropicDialect{}, APIError{Status: 400, Message: "max_tokens: Field required"}, 400,
			`{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_1"}`, "Request-Id"},
	}
	for _, c := range cases {
		t.Run(c.d.Name()+"/"+c.e.Error(), func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := WriteError(NewWriter(rec), c.d, &c.e, "req_1"); err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.wantStatus {
				t.Errorf("status %d", rec.Code)
			}
			if got := compact(t, rec.Body.Bytes()); got != c.wantBody {
				t.Errorf("body\n got %s\nwant %s", got, c.wantBody)
			}
			if rec.Header().Get(c.idHeader) != "req_1" || rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", rec.Header())
			}
		})
	}
}

func TestStreamErrorEvents(t *testing.T) {
	e := &APIError{Status: 500}
	cases := []struct {
		s        Stream
		name     string
		wantData string
	}{
		{OpenAIChat, "", `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`},
		{OpenAIResponses, "error", `{"type":"error","code":null,"message":"The server had an error while processing your request. Sorry about that!","param":null,"sequence_number":7}`},
		{Anthropic, "error", `{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`},
	}
	for _, c := range cases {
		ev := c.s.ErrorEvent(e, 7)
		if ev.Name != c.name || string(ev.Data) != c.wantData {
			t.Errorf("%v: got %q %s", c.s, ev.Name, ev.Data)
		}
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var v json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func TestCannedErrors(t *testing.T) {
	cases := []struct {
		d              Dialect
		status         int
		code           string
		wantType, want string
	}{
		{OpenAIDialect{}, 429, "", "requests", "rate_limit_exceeded"},
		{OpenAIDialect{}, 429, "insufficient_quota", "insufficient_quota", "insufficient_quota"},
		{OpenAIDialect{}, 400, "", "invalid_request_error", "context_length_exceeded"},
		{OpenAIDialect{}, 401, "", "invalid_request_error", "invalid_api_key"},
		{OpenAIDialect{}, 503, "", "server_error", ""},
		{AnthropicDialect{}, 529, "", "overloaded_error", ""},
		{AnthropicDialect{}, 413, "", "request_too_large", ""},
	}
	for _, c := range cases {
		e := Canned(c.d, c.status, c.code)
		var body map[string]any
		if err := json.Unmarshal(c.d.ErrorBody(e, "req_1"), &body); err != nil {
			t.Fatal(err)
		}
		inner := body["error"].(map[string]any)
		if inner["type"] != c.wantType {
			t.Errorf("%s %d %q: type %v, want %s", c.d.Name(), c.status, c.code, inner["type"], c.wantType)
		}
		if c.d.Name() == "openai" && c.want != "" && inner["code"] != c.want {
			t.Errorf("%s %d %q: code %v, want %s", c.d.Name(), c.status, c.code, inner["code"], c.want)
		}
	}
}

func TestAzurePath(t *testing.T) {
	cases := []struct{ path, api, deployment string }{
		{"/openai/deployments/gpt-4o/chat/completions", "/v1/chat/completions", "gpt-4o"},
		{"/openai/deployments/emb/embeddings", "/v1/embeddings", "emb"},
		{"/openai/v1/chat/completions", "/v1/chat/completions", ""},
		{"/openai/responses", "/v1/responses", ""},
		{"/openai/v1/models", "/v1/models", ""},
		{"/openai/deployments/gpt-4o", "", ""},
		{"/openai/deployments//chat/completions", "", ""},
		{"/v1/chat/completions", "", ""},
	}
	for _, c := range cases {
		api, d, ok := AzurePath(c.path)
		if api != c.api || d != c.deployment || ok != (c.api != "") {
			t.Errorf("%s: %q %q %v, want %q %q", c.path, api, d, ok, c.api, c.deployment)
		}
	}
}
