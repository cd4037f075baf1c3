package proxy

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// TestConformanceEmbeddings validates embeddings in each encoding.
func TestConformanceEmbeddings(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	srv := confServer(t, simulate.Config{})
	tests := []struct{ name, body string }{
		{"float", `{"model":"text-embedding-3-small","input":"The food was delicious and the waiter was kind."}`},
		{"float explicit, two inputs", `{"model":"text-embedding-3-small","input":["first text","second text"],"encoding_format":"float"}`},
		{"base64", `{"model":"text-embedding-3-small","input":"The food was delicious.","encoding_format":"base64"}`},
		{"dimensions", `{"model":"text-embedding-3-large","input":"The food was delicious.","dimensions":256}`},
		{"ada", `{"model":"text-embedding-ada-002","input":"The food was delicious."}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := confDo(t, srv, http.MethodPost, "/v1/embeddings", tc.body)
			confWant(t, r, http.StatusOK, "application/json")
			spec.validate(t, "POST /v1/embeddings", "CreateEmbeddingResponse", confDecodeBase64Embeddings(t, r.body))
		})
	}
}

// confDecodeBase64Embeddings turns base64 embeddings back into arrays of
// numbers before validating. The spec's Embedding.embedding is an array of
// numbers only, though encoding_format's own description says base64 is
// returned and the real API sends a string; the string must still decode
// to whole little-endian float32s, which is checked here.
func confDecodeBase64Embeddings(t *testing.T, body []byte) []byte {
	t.Helper()
	var resp map[string]any
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("embeddings body is not JSON: %v", err)
	}
	data, _ := resp["data"].([]any)
	for _, d := range data {
		item, _ := d.(map[string]any)
		s, ok := item["embedding"].(string)
		if !ok {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw)%4 != 0 {
			t.Errorf("embedding %q is not base64 of float32s: %v", confTruncate([]byte(s), 64), err)
			continue
		}
		floats := make([]float64, len(raw)/4)
		for i := range floats {
			floats[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		}
		item["embedding"] = floats
	}
	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConformanceModels validates the model list and one model.
func TestConformanceModels(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	srv := confServer(t, simulate.Config{})
	allowed := confServer(t, simulate.Config{AllowedModels: []string{"gpt-4o", "my-model"}})
	tests := []struct {
		name   string
		srv    *httptest.Server
		path   string
		schema string
	}{
		{"list", srv, "/v1/models", "ListModelsResponse"},
		{"list of the allowed", allowed, "/v1/models", "ListModelsResponse"},
		{"gpt-4o", srv, "/v1/models/gpt-4o", "Model"},
		{"unknown name served", srv, "/v1/models/my-finetune", "Model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := confDo(t, tc.srv, http.MethodGet, tc.path, "")
			confWant(t, r, http.StatusOK, "application/json")
			spec.validate(t, "GET "+tc.path, tc.schema, r.body)
		})
	}
}

// TestConformanceErrors validates error bodies: every one must be an
// ErrorResponse, whose Error requires param and code even when null.
func TestConformanceErrors(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	srv := confServer(t, simulate.Config{AllowedModels: []string{"gpt-4o", "text-embedding-3-small"}})
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"chat without messages", http.MethodPost, "/v1/chat/completions", `{"model":"gpt-4o"}`, 400},
		{"chat with a bad role", http.MethodPost, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"robot","content":"hi"}]}`, 400},
		{"body not JSON", http.MethodPost, "/v1/chat/completions", `{"model":`, 400},
		{"responses without input", http.MethodPost, "/v1/responses", `{"model":"gpt-4o"}`, 400},
		{"embeddings without input", http.MethodPost, "/v1/embeddings", `{"model":"text-embedding-3-small"}`, 400},
		{"unknown path", http.MethodGet, "/v1/nope", "", 404},
		{"unknown model", http.MethodPost, "/v1/chat/completions", `{"model":"gpt-unknown","messages":[{"role":"user","content":"hi"}]}`, 404},
		{"unknown model, responses", http.MethodPost, "/v1/responses", `{"model":"gpt-unknown","input":"hi"}`, 404},
		{"unknown model retrieved", http.MethodGet, "/v1/models/gpt-unknown", "", 404},
		{"wrong method", http.MethodGet, "/v1/chat/completions", "", 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := confDo(t, srv, tc.method, tc.path, tc.body)
			confWant(t, r, tc.status, "application/json")
			spec.validate(t, tc.method+" "+tc.path, "ErrorResponse", r.body)
		})
	}
	t.Run("body too large", func(t *testing.T) {
		sim := simulate.New(simulate.Config{Default: simulate.InstantModel(), Clock: simulate.NewManualClock(confStart)})
		small := httptest.NewServer(&Front{Sim: sim, Seed: 42, MaxBody: 64})
		t.Cleanup(small.Close)
		body := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + strings.Repeat("x", 100) + `"}]}`
		r := confDo(t, small, http.MethodPost, "/v1/chat/completions", body)
		confWant(t, r, http.StatusRequestEntityTooLarge, "application/json")
		spec.validate(t, "POST /v1/chat/completions (too large)", "ErrorResponse", r.body)
	})
}

// TestConformanceWireErrors validates the errors package wire renders
// for faults to send: the error body, and the events that report an error
// mid-stream (chat and completion streams send the body as a data event;
// the Responses API sends "event: error").
func TestConformanceWireErrors(t *testing.T) {
	spec := confSpec(t)
	confLogCounts(t, spec)
	for _, status := range []int{500, 400, 429, 503} {
		e := &wire.APIError{Status: status}
		t.Run(fmt.Sprintf("body %d", status), func(t *testing.T) {
			spec.validate(t, "wire.OpenAIDialect.ErrorBody", "ErrorResponse", wire.OpenAIDialect{}.ErrorBody(e, "req_1"))
		})
		t.Run(fmt.Sprintf("chat %d", status), func(t *testing.T) {
			ev := wire.OpenAIChat.ErrorEvent(e, 0)
			if ev.Name != "" {
				t.Errorf("named %q; chat streams are data-only", ev.Name)
			}
			spec.validate(t, "wire.OpenAIChat.ErrorEvent", "ErrorResponse", ev.Data)
		})
		t.Run(fmt.Sprintf("responses %d", status), func(t *testing.T) {
			ev := wire.OpenAIResponses.ErrorEvent(e, 7)
			if ev.Name != "error" {
				t.Errorf("event name %q, want error", ev.Name)
			}
			spec.validate(t, "wire.OpenAIResponses.ErrorEvent", "ResponseErrorEvent", ev.Data)
			var got struct {
				SequenceNumber int `json:"sequence_number"`
			}
			if err := json.Unmarshal(ev.Data, &got); err == nil && got.SequenceNumber != 7 {
				t.Errorf("sequence_number %d, want 7", got.SequenceNumber)
			}
		})
	}
}
