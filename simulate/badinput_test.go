package simulate

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every bad request gets the provider's own error shape and status, never
// a 5xx.
func TestBadInputGetsProviderErrors(t *testing.T) {
	allow := testConfig()
	allow.AllowedModels = []string{"gpt-4o", "claude-sonnet-*"}
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	cases := []struct {
		name, provider, method, path, body string
		cfg                                *Config
		status                             int
		typ, param, code, msg              string
	}{
		{"malformed json", "openai", "POST", "/v1/chat/completions", `{"model":`, nil, 400, "invalid_request_error", "", "", "We could not parse the JSON body"},
		{"empty body", "openai", "POST", "/v1/chat/completions", ``, nil, 400, "invalid_request_error", "", "", "We could not parse the JSON body"},
		{"not an object", "openai", "POST", "/v1/chat/completions", `[1,2]`, nil, 400, "invalid_request_error", "", "", "We could not parse the JSON body"},
		{"missing model", "openai", "POST", "/v1/chat/completions", `{` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "you must provide a model parameter"},
		{"missing messages", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o"}`, nil, 400, "invalid_request_error", "messages", "missing_required_parameter", "Missing required parameter: 'messages'."},
		{"empty messages", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[]}`, nil, 400, "invalid_request_error", "messages", "empty_array", "Invalid 'messages': empty array."},
		{"messages wrong type", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":"hi"}`, nil, 400, "invalid_request_error", "messages", "invalid_type", "Invalid type for 'messages': expected an array, but got a string instead."},
		{"model wrong type", "openai", "POST", "/v1/chat/completions", `{"model":4,` + msgs + `}`, nil, 400, "invalid_request_error", "model", "invalid_type", "Invalid type for 'model': expected a string, but got an integer instead."},
		{"role missing", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"content":"hi"}]}`, nil, 400, "invalid_request_error", "messages[0].role", "missing_required_parameter", ""},
		{"role invalid", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"bot","content":"hi"}]}`, nil, 400, "invalid_request_error", "messages[0].role", "invalid_value", "Invalid value: 'bot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'."},
		{"content wrong type", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":5}]}`, nil, 400, "invalid_request_error", "messages[0].content", "invalid_type", ""},
		{"tool without id", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"tool","content":"x"}]}`, nil, 400, "invalid_request_error", "messages[0].tool_call_id", "missing_required_parameter", ""},
		{"max_tokens zero", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"max_tokens":0}`, nil, 400, "invalid_request_error", "max_tokens", "integer_below_min_value", "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead."},
		{"n too large", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"n":200}`, nil, 400, "invalid_request_error", "n", "integer_above_max_value", ""},
		{"temperature too high", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"temperature":3}`, nil, 400, "invalid_request_error", "temperature", "decimal_above_max_value", ""},
		{"too many stops", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"stop":["a","b","c","d","e"]}`, nil, 400, "invalid_request_error", "stop", "array_above_max_length", ""},
		{"stream_options without stream", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"stream_options":{"include_usage":true}}`, nil, 400, "invalid_request_error", "stream_options", "invalid_value", ""},
		{"tool_choice without tools", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"tool_choice":"required"}`, nil, 400, "invalid_request_error", "tool_choice", "", ""},
		{"tool_choice unknown function", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}}}`, nil, 400, "invalid_request_error", "tool_choice", "invalid_value", ""},
		{"tool without name", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"tools":[{"type":"function","function":{}}]}`, nil, 400, "invalid_request_error", "tools[0].function.name", "missing_required_parameter", ""},
		{"unsatisfiable tool schema", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"tool_choice":"required","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"enum":[]}},"required":["x"]}}}]}`, nil, 400, "invalid_request_error", "tools", "invalid_function_parameters", "Invalid schema for function 'f'"},
		{"json_schema without name", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o",` + msgs + `,"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}`, nil, 400, "invalid_request_error", "response_format.json_schema.name", "missing_required_parameter", ""},
		{"unknown model", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-9",` + msgs + `}`, &allow, 404, "invalid_request_error", "", "model_not_found", "The model `gpt-9` does not exist or you do not have access to it."},
		{"unknown model get", "openai", "GET", "/v1/models/gpt-9", ``, &allow, 404, "invalid_request_error", "", "model_not_found", ""},
		{"unknown path", "openai", "POST", "/v1/chat/complete", `{}`, nil, 404, "invalid_request_error", "", "", "Invalid URL (POST /v1/chat/complete)"},
		{"wrong method", "openai", "GET", "/v1/chat/completions", ``, nil, 405, "invalid_request_error", "", "", "Invalid method for URL (GET /v1/chat/completions)"},
		{"completions without prompt", "openai", "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct"}`, nil, 400, "invalid_request_error", "prompt", "missing_required_parameter", ""},
		{"embeddings empty input", "openai", "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":""}`, nil, 400, "invalid_request_error", "input", "invalid_value", ""},
		{"embeddings dims on ada", "openai", "POST", "/v1/embeddings", `{"model":"text-embedding-ada-002","input":"x","dimensions":8}`, nil, 400, "invalid_request_error", "dimensions", "", "This model does not support specifying dimensions."},
		{"responses without input", "openai", "POST", "/v1/responses", `{"model":"gpt-4o"}`, nil, 400, "invalid_request_error", "input", "missing_required_parameter", ""},
		{"responses tiny max_output_tokens", "openai", "POST", "/v1/responses", `{"model":"gpt-4o","input":"x","max_output_tokens":4}`, nil, 400, "invalid_request_error", "max_output_tokens", "integer_below_min_value", ""},

		{"anthropic malformed json", "anthropic", "POST", "/v1/messages", `{"model":`, nil, 400, "invalid_request_error", "", "", "The request body is not valid JSON"},
		{"anthropic missing max_tokens", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5",` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "max_tokens: Field required"},
		{"anthropic missing model", "anthropic", "POST", "/v1/messages", `{"max_tokens":10,` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "model: Field required"},
		{"anthropic missing messages", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":10}`, nil, 400, "invalid_request_error", "", "", "messages: Field required"},
		{"anthropic wrong type", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":"ten",` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "max_tokens: Input should be a valid integer"},
		{"anthropic max_tokens zero", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":0,` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "max_tokens: Input should be greater than or equal to 1"},
		{"anthropic bad role", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"system","content":"x"}]}`, nil, 400, "invalid_request_error", "", "", "messages.0.role: Input should be 'user' or 'assistant'"},
		{"anthropic temperature", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":10,"temperature":1.5,` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "temperature: Input should be less than or equal to 1"},
		{"anthropic thinking budget", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":5000,"thinking":{"type":"enabled","budget_tokens":100},` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"},
		{"anthropic thinking over max", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":1024,"thinking":{"type":"enabled","budget_tokens":1024},` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "`max_tokens` must be greater than `thinking.budget_tokens`"},
		{"anthropic bad tool_choice", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":10,"tool_choice":{"type":"maybe"},` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"},
		{"anthropic tool without schema", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":10,"tools":[{"name":"t"}],` + msgs + `}`, nil, 400, "invalid_request_error", "", "", "tools.0.custom.input_schema: Field required"},
		{"anthropic unknown model", "anthropic", "POST", "/v1/messages", `{"model":"claude-x","max_tokens":10,` + msgs + `}`, &allow, 404, "not_found_error", "", "", "model: claude-x"},
		{"anthropic unknown path", "anthropic", "POST", "/v1/complete", `{}`, nil, 404, "not_found_error", "", "", "Not Found"},
		{"count_tokens missing messages", "anthropic", "POST", "/v1/messages/count_tokens", `{"model":"claude-sonnet-4-5"}`, nil, 400, "invalid_request_error", "", "", "messages: Field required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			if c.cfg != nil {
				cfg = *c.cfg
			}
			rec := call(t, cfg, c.provider, c.method, c.path, c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.provider == "openai" {
				checkOpenAIError(t, rec.Body.Bytes(), c.typ, c.param, c.code, c.msg)
			} else {
				checkAnthropicError(t, rec.Body.Bytes(), c.typ, c.msg, rec.Header().Get("Request-Id"))
			}
		})
	}
}

func checkOpenAIError(t *testing.T, body []byte, typ, param, code, msg string) {
	t.Helper()
	var e struct {
		Error map[string]*string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := e.Error[k]; !ok {
			t.Errorf("error has no %q (required even when null): %s", k, body)
		}
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	if str(e.Error["type"]) != typ || str(e.Error["param"]) != param || str(e.Error["code"]) != code {
		t.Errorf("type/param/code = %q/%q/%q, want %q/%q/%q", str(e.Error["type"]), str(e.Error["param"]), str(e.Error["code"]), typ, param, code)
	}
	if !strings.HasPrefix(str(e.Error["message"]), msg) {
		t.Errorf("message %q, want prefix %q", str(e.Error["message"]), msg)
	}
}

func checkAnthropicError(t *testing.T, body []byte, typ, msg, requestID string) {
	t.Helper()
	var e struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	if e.Type != "error" || e.Error.Type != typ || !strings.HasPrefix(e.Error.Message, msg) {
		t.Errorf("got %s, want type %q message prefix %q", body, typ, msg)
	}
	if e.RequestID == "" || e.RequestID != requestID {
		t.Errorf("request_id %q does not match the request-id header %q", e.RequestID, requestID)
	}
}
