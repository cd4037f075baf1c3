package simulate

import (
	"context"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
)

// discardWriter is an http.ResponseWriter that counts and drops bytes, so
// benchmarks measure the simulator and the writer, not a recorder.
type discardWriter struct {
	h http.Header
	n int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

func benchServe(b *testing.B, provider, path, body string, tokens int) {
	cfg := Config{Default: InstantModel()}
	cfg.Default.OutputTokens = dist.Constant{V: float64(tokens)}
	s := New(cfg)
	req := &Request{Provider: provider, Method: "POST", Path: path, Body: []byte(body)}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	var seed uint64
	for b.Loop() {
		seed++
		req.Seed = seed
		clear(w.h)
		if err := s.Serve(context.Background(), req, wire.NewWriter(w)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n)/float64(b.N), "B/resp")
}

func BenchmarkChatCompletion(b *testing.B) {
	benchServe(b, "openai", "/v1/chat/completions",
		`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}`, 10)
}

func BenchmarkChatStream(b *testing.B) {
	benchServe(b, "openai", "/v1/chat/completions",
		`{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}`, 50)
}

func BenchmarkMessagesStream(b *testing.B) {
	benchServe(b, "anthropic", "/v1/messages",
		`{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}`, 50)
}

func BenchmarkResponsesStream(b *testing.B) {
	benchServe(b, "openai", "/v1/responses",
		`{"model":"gpt-4o-mini","stream":true,"input":"Tell me a joke about proxies."}`, 50)
}

func BenchmarkToolCall(b *testing.B) {
	benchServe(b, "openai", "/v1/chat/completions",
		`{"model":"gpt-4o-mini","tool_choice":"required","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}}}]}`, 10)
}
