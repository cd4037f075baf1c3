package simulate

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// An Azure call's prompt is counted as the same call to OpenAI's API:
// the deployment in the path stands in for the body's model.
func TestAzureEstimatesLikeOpenAI(t *testing.T) {
	body := `{"messages":[{"role":"user","content":"How many tokens is this prompt?"}]}`
	azure := EstimatePromptTokens("azure", "/openai/deployments/d1/chat/completions", []byte(body))
	openai := EstimatePromptTokens("openai", "/v1/chat/completions", []byte(`{"model":"d1",`+body[1:]))
	if azure == 0 || azure != openai {
		t.Fatalf("azure %d, openai %d", azure, openai)
	}
}

func TestAzureAPIVersions(t *testing.T) {
	cases := []struct {
		version  string
		required bool
		status   int
	}{
		{"2024-10-21", true, 0}, {"2025-04-01-preview", true, 0},
		{"", true, 404}, {"2024-13-01", true, 400}, {"latest", true, 400}, {"v1", true, 400},
		{"", false, 0}, {"preview", false, 0}, {"latest", false, 0}, {"2024-10-21", false, 400},
	}
	for _, c := range cases {
		e := checkAPIVersion(c.version, c.required)
		if (e == nil) != (c.status == 0) || (e != nil && e.Status != c.status) {
			t.Errorf("%q (required %v): %+v, want status %d", c.version, c.required, e, c.status)
		}
	}
}

// Routes Azure does not serve get its gateway's 404; a known route with
// the wrong method gets OpenAI's 405, as the model service answers it.
func TestAzureRoutes(t *testing.T) {
	cases := []struct{ method, path string }{
		{"POST", "/openai/deployments/d1/unknown?api-version=2024-10-21"},
		{"POST", "/openai/something"},
		{"POST", "/v1/chat/completions"},
	}
	for _, c := range cases {
		rec := call(t, testConfig(), "azure", c.method, c.path, `{}`)
		if rec.Code != 404 || rec.Body.String() != `{"error":{"code":"404","message":"Resource not found"}}` {
			t.Errorf("%s %s: %d %s", c.method, c.path, rec.Code, rec.Body)
		}
	}
	rec := call(t, testConfig(), "azure", "GET", "/openai/deployments/d1/embeddings?api-version=2024-10-21", ``)
	if rec.Code != 405 || !strings.Contains(rec.Body.String(), `"type": "invalid_request_error"`) || rec.Header().Get("Apim-Request-Id") == "" {
		t.Errorf("GET embeddings: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

var uuidForm = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAzureRequestIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := range uint64(100) {
		id := RequestID("azure", i)
		if !uuidForm.MatchString(id) || seen[id] {
			t.Fatalf("request id %q: not a fresh version-4 UUID", id)
		}
		seen[id] = true
		if RequestID("azure", i) != id {
			t.Fatal("the same exchange got another id")
		}
	}
}

// Only chat and completions answers are annotated; anything else, or
// something that is not JSON, passes as it came.
func TestAzureAnnotatesOnlyAnswers(t *testing.T) {
	for _, data := range []string{`{"object":"list","data":[]}`, `{"error":{"message":"x"}}`, `not json`, `{"object":"response"}`} {
		if got := string(annotateAzure([]byte(data), true)); got != data {
			t.Errorf("%s became %s", data, got)
		}
	}
	got := string(annotateAzure([]byte(`{"object":"chat.completion.chunk","service_tier":"default","obfuscation":"xy","choices":[{"index":0,"delta":{"content":"<b>&"}}]}`), true))
	want := `{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":"<b>&"},"index":0}],"object":"chat.completion.chunk"}`
	if got != want {
		t.Errorf("annotated chunk\n got %s\nwant %s", got, want)
	}
}

// FuzzAzure throws arbitrary paths, queries and bodies at the Azure
// emulator: each gets a well-formed 200 or a 4xx JSON error (Azure's
// gateway's or OpenAI's shape), never a panic or a 5xx.
func FuzzAzure(f *testing.F) {
	for _, c := range goldenCases {
		if c.provider == "azure" {
			f.Add(c.path, c.body)
		}
	}
	f.Add("/openai/v1/responses", `{"model":"m","input":"hi","stream":true}`)
	f.Add("/openai/deployments/d/completions?api-version=2024-10-21&api-version=x", `{"prompt":"p","stream":true}`)
	f.Add("/openai/deployments/%2F/embeddings?api-version=2024-10-21", `[]`)
	f.Fuzz(func(t *testing.T, path, body string) {
		rec := call(t, testConfig(), "azure", "POST", path, body)
		switch {
		case rec.Code == 200:
			checkWellFormed(t, rec.Header().Get("Content-Type"), rec.Body.Bytes())
		case rec.Code >= 400 && rec.Code < 500:
			var e struct {
				Error *struct {
					Message *string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || e.Error.Message == nil {
				t.Fatalf("%s: error without error.message: %s", path, rec.Body)
			}
		default:
			t.Fatalf("status %d for %s %s: %s", rec.Code, path, body, rec.Body)
		}
	})
}
