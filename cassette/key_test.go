package cassette

import (
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

func TestKey(t *testing.T) {
	base := func() *Request {
		return &Request{Method: "POST", Provider: "openai", Path: "/v1/chat/completions",
			Query: "api-version=2024-10-21", Header: http.Header{"X-Test-Id": {"t1"}},
			Body: []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2}`)}
	}
	with := func(change func(r *Request)) *Request {
		r := base()
		change(r)
		return r
	}
	body := func(b string) *Request { return with(func(r *Request) { r.Body = []byte(b) }) }
	cases := []struct {
		name string
		r    *Request
		same bool
	}{
		{"key order and whitespace", body(` { "temperature" : 0.2, "messages":[{"content":"hi","role":"user"}], "model":"gpt-4o" } `), true},
		{"string escapes", body(`{"model":"gpt\u002d4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2}`), true},
		{"user ignored", body(`{"model":"gpt-4o","user":"alice","messages":[{"role":"user","content":"hi"}],"temperature":0.2}`), true},
		{"stream false is absent", body(`{"model":"gpt-4o","stream":false,"messages":[{"role":"user","content":"hi"}],"temperature":0.2}`), true},
		{"stream true", body(`{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}],"temperature":0.2}`), false},
		{"stream_options", body(`{"model":"gpt-4o","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}],"temperature":0.2}`), false},
		{"nested user kept", body(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi","user":"x"}],"temperature":0.2}`), false},
		{"model", body(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.2}`), false},
		{"message order", body(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"user","content":"hi"}],"temperature":0.2}`), false},
		{"number text", body(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.20}`), false},
		{"secret query parameters", with(func(r *Request) {
			r.Query = "KEY=abc&api-version=2024-10-21&Api_Key=x&token=y&access_token=z&api-key=w"
		}), true},
		{"query order", with(func(r *Request) { r.Query = "b=2&api-version=2024-10-21&a=1" }), false},
		{"query value", with(func(r *Request) { r.Query = "api-version=2025-01-01" }), false},
		{"other headers ignored", with(func(r *Request) { r.Header.Set("Authorization", "Bearer sk-1") }), true},
		{"key header value", with(func(r *Request) { r.Header.Set("X-Test-Id", "t2") }), false},
		{"key header absent", with(func(r *Request) { r.Header = nil }), false},
		{"method", with(func(r *Request) { r.Method = "PUT" }), false},
		{"provider", with(func(r *Request) { r.Provider = "azure" }), false},
		{"path", with(func(r *Request) { r.Path = "/v1/completions" }), false},
		{"host not keyed", with(func(r *Request) { r.Host = "example.com" }), true},
		{"cassette not hashed", with(func(r *Request) { r.Cassette = "suite" }), true},
	}
	k := newSettings(Options{KeyHeaders: []string{"x-test-id"}}).keyer
	want, _ := k.key(base())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := k.key(c.r)
			if (got == want) != c.same {
				t.Errorf("same key = %v, want %v", got == want, c.same)
			}
		})
	}
}

func TestKeyQueryOrderAlone(t *testing.T) {
	k := newSettings(Options{}).keyer
	a, _ := k.key(&Request{Method: "GET", Path: "/v1/models", Query: "a=1&b=2"})
	b, _ := k.key(&Request{Method: "GET", Path: "/v1/models", Query: "b=2&a=1&key=s"})
	if a != b {
		t.Error("query parameter order changes the key")
	}
}

func TestKeyIgnoreOption(t *testing.T) {
	r1 := &Request{Method: "POST", Path: "/p", Body: []byte(`{"a":1,"user":"x","seed":1}`)}
	r2 := &Request{Method: "POST", Path: "/p", Body: []byte(`{"a":1,"user":"y","seed":2}`)}
	cases := []struct {
		name   string
		ignore []string
		same   bool
	}{
		{"default ignores user only", nil, false},
		{"user and seed", []string{"user", "seed"}, true},
		{"nothing", []string{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newSettings(Options{Ignore: c.ignore}).keyer
			a, _ := k.key(r1)
			b, _ := k.key(r2)
			if (a == b) != c.same {
				t.Errorf("same = %v, want %v", a == b, c.same)
			}
		})
	}
}

// A secret header named as a key header is left out, so its value is
// neither keyed nor written.
func TestSecretKeyHeaderRefused(t *testing.T) {
	st := newSettings(Options{KeyHeaders: []string{"Authorization", "X-Test-Id", "x-test-id"}})
	if len(st.keyer.headers) != 1 || st.keyer.headers[0] != "X-Test-Id" {
		t.Errorf("key headers = %v, want [X-Test-Id]", st.keyer.headers)
	}
}

func TestKeyStreamFlag(t *testing.T) {
	k := newSettings(Options{}).keyer
	_, stream := k.key(chat("gpt-4o", "hi", true))
	_, plain := k.key(chat("gpt-4o", "hi", false))
	if !stream || plain {
		t.Errorf("stream flags = %v, %v; want true, false", stream, plain)
	}
}

// Replay computes a key on every request: it must not allocate.
func TestKeyAllocations(t *testing.T) {
	k := newSettings(Options{KeyHeaders: []string{"X-Test-Id"}}).keyer
	r := chat("gpt-4o", "hi", true)
	r.Query = "api-version=1&key=secret"
	r.Header.Set("X-Test-Id", "t1")
	if n := testing.AllocsPerRun(100, func() { k.key(r) }); n != 0 {
		t.Errorf("key allocates %v times", n)
	}
}

// Stream and non-stream requests are recorded and replayed apart.
func TestStreamAndPlainAreDistinct(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir()})
	record(t, s, chat("gpt-4o", "hi", true), chatStream(1, "streamed"))
	record(t, s, chat("gpt-4o", "hi", false), plainBody("plain"))
	if got := replay(t, s, chat("gpt-4o", "hi", true), "", RepeatLast); got.Events[0].Kind != wire.SSE {
		t.Errorf("stream request replayed %v", text(got))
	}
	if got := replay(t, s, chat("gpt-4o", "hi", false), "", RepeatLast); got.Events[0].Kind != wire.Chunk {
		t.Errorf("plain request replayed %v", text(got))
	}
}
