package proxy

// An OpenAI-compatible host (Groq here) declared in providers: with
// dialect: openai, recorded through HTTPS_PROXY and replayed with its
// upstream gone.

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/rs/zerolog"
)

// groqKey is the key the Groq clients send: no cassette may hold it.
const groqKey = "gsk_SECRET-0123456789abcdef"

// groqBaseURL is where Groq's docs point the OpenAI SDKs.
const groqBaseURL = "https://api.groq.com/openai/v1"

// No intercept section: api.groq.com, a declared provider's host, is
// intercepted by default.
const groqTapeYAML = `version: 1
providers:
  groq: {upstream: "{{up}}/openai", dialect: openai, hosts: [api.groq.com], ca_file: "{{ca}}"}
cache: {dir: "{{dir}}"}
rules:
  - name: groq-tape
    match: {provider: groq}
    action: {{action}}
    cassette: {{cassette}}
`

// groqUpstream stands in for api.groq.com: its OpenAI-compatible API
// lives under /openai, and it notes the path and headers of every request
// it gets.
type groqUpstream struct {
	*fakeUpstream
	mu   sync.Mutex // guards seen
	seen []*http.Request
}

func newGroqUpstream(t *testing.T) *groqUpstream {
	g := &groqUpstream{}
	answer := &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 7}
	g.fakeUpstream = newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.seen = append(g.seen, r.Clone(r.Context()))
		g.mu.Unlock()
		rest, ok := strings.CutPrefix(r.URL.Path, "/openai/")
		if !ok {
			http.Error(w, "not under /openai", http.StatusNotFound)
			return
		}
		r.URL.Path = "/" + rest
		answer.ServeHTTP(w, r)
	})
	return g
}

// groqCalls is what a client saw of the calls a Groq app makes: raw
// bytes and the SDK's results, streamed and not.
type groqCalls struct {
	rawChat, rawStream   string
	chatID, chat         string
	streamID, streamText string
}

const groqChatBody = `{"model":"llama-3.3-70b-versatile","messages":[{"role":"user","content":"raw"}]}`

func groqConverse(t *testing.T, hc *http.Client) groqCalls {
	t.Helper()
	var c groqCalls
	c.rawChat = groqRawPost(t, hc, groqChatBody)
	c.rawStream = groqRawPost(t, hc, strings.Replace(groqChatBody, `{`, `{"stream":true,`, 1))
	oc := openai.NewClient(option.WithBaseURL(groqBaseURL), option.WithAPIKey(groqKey), option.WithHTTPClient(hc),
		option.WithMaxRetries(0))
	got, err := oc.Chat.Completions.New(t.Context(), chatParams("llama-3.3-70b-versatile"))
	if err != nil {
		t.Fatal(err)
	}
	c.chatID, c.chat = got.ID, got.Choices[0].Message.Content
	stream := oc.Chat.Completions.NewStreaming(t.Context(), chatParams("llama-3.3-70b-versatile"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil || len(acc.Choices) == 0 || acc.Choices[0].FinishReason != "stop" {
		t.Fatalf("stream: %v %+v", err, acc.Choices)
	}
	c.streamID, c.streamText = acc.ID, acc.Choices[0].Message.Content
	return c
}

// groqRawPost posts body to Groq's chat completions through hc and
// returns the answer's bytes, failing on anything but a 200.
func groqRawPost(t *testing.T, hc *http.Client, body string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, groqBaseURL+"/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+groqKey)
	req.Header.Set("X-Llmsim-Scope", "groq-test")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", req.URL, resp.StatusCode, got)
	}
	return string(got)
}

// Recorded once through HTTPS_PROXY, a Groq app's calls replay
// identically with the upstream gone, streamed and not. The upstream saw
// the path the client sent and its key, none of our headers; no key
// reaches a cassette; the journal, explain and the access log name the
// provider groq and its dialect openai.
func TestOpenAICompatibleHostRecordedThenReplayed(t *testing.T) {
	dir := t.TempDir()
	up := newGroqUpstream(t)
	ca := up.caFile(t)
	var logged bytes.Buffer
	observe := func(f *Front) {
		f.Journal, f.AccessLog, f.Log = telemetry.NewJournal(64), true, zerolog.New(&logged)
	}
	values := map[string]string{"up": up.URL, "ca": ca, "dir": dir, "action": "record", "cassette": "{}"}
	rec := newStack(t, groqTapeYAML, values, observe)
	want := groqConverse(t, rec.proxyClient())
	// A stream's recording is committed as the upstream's body ends,
	// which may come just after the SDK, done at the terminal event, has
	// returned.
	waitFor(t, func() bool { return len(cassetteFiles(t, dir)) >= 4 })
	if n := len(cassetteFiles(t, dir)); n != 4 {
		t.Fatalf("%d recordings for 4 distinct calls", n)
	}
	groqCheckUpstreamSaw(t, up)
	groqCheckObserved(t, rec, "forwarded", 4)
	if !strings.Contains(logged.String(), `"provider":"groq","dialect":"openai"`) {
		t.Errorf("the access log does not name the provider and its dialect:\n%s", logged.String())
	}
	grepDir(t, dir, groqKey)
	hits := up.hits.Load()
	up.Close()

	values["action"], values["cassette"] = "replay", "{timing: instant}"
	rep := newStack(t, groqTapeYAML, values, observe)
	if got := groqConverse(t, rep.proxyClient()); got != want {
		t.Fatalf("replayed:\n%+v\nrecorded:\n%+v", got, want)
	}
	if up.hits.Load() != hits {
		t.Fatal("a replay reached the upstream")
	}
	groqCheckObserved(t, rep, "replayed", 4)
	e, err := rep.front.Explain("POST", groqBaseURL+"/chat/completions", http.Header{"Authorization": {"Bearer " + groqKey}},
		[]byte(strings.Replace(groqChatBody, "raw", "sdk", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if e.Provider != "groq" || e.Dialect != "openai" || e.Path != "/v1/chat/completions" || e.Host != "api.groq.com" ||
		e.Rule != "groq-tape" || e.Cassette == nil {
		t.Fatalf("explain: %+v", e)
	}
	if e.Cassette.Hit || e.Cassette.Miss == nil {
		t.Errorf("explain: a body never sent would replay: %+v", e.Cassette)
	}
	if e, _ = rep.front.Explain("POST", groqBaseURL+"/chat/completions", nil, []byte(groqChatBody)); e.Cassette == nil || !e.Cassette.Hit {
		t.Errorf("explain: the recorded call would not replay: %+v", e.Cassette)
	}
}

// groqCheckUpstreamSaw checks the upstream got each call at the path the
// client sent, with the client's key, and without the proxy's controls or
// forwarding headers (a request through the proxy goes on as sent).
func groqCheckUpstreamSaw(t *testing.T, up *groqUpstream) {
	t.Helper()
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.seen) != 4 {
		t.Fatalf("the upstream got %d requests for 4 calls", len(up.seen))
	}
	for _, r := range up.seen {
		if r.Method != http.MethodPost || r.URL.Path != "/openai/v1/chat/completions" || r.URL.RawQuery != "" {
			t.Errorf("upstream got %s %s", r.Method, r.URL)
		}
		if r.Header.Get("Authorization") != "Bearer "+groqKey || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("upstream headers: %v", r.Header)
		}
		if r.Header.Get("X-Forwarded-Host") != "" || r.Header.Get("X-Forwarded-For") != "" {
			t.Errorf("forwarding headers on a request through the proxy: host %q, for %q", r.Header.Get("X-Forwarded-Host"), r.Header.Get("X-Forwarded-For"))
		}
		for k := range r.Header {
			if strings.HasPrefix(k, "X-Llmsim-") || k == "Proxy-Authorization" {
				t.Errorf("the upstream got the proxy's header %s", k)
			}
		}
	}
}

// groqCheckObserved checks the journal kept n requests to Groq, each
// under its provider, dialect, host and API path, answered by source.
func groqCheckObserved(t *testing.T, s *stack, source string, n int) {
	t.Helper()
	// The record is made as the handler returns, which may be after the
	// client has its answer.
	waitFor(t, func() bool { return s.front.Journal.Len() >= n })
	recs := s.front.Journal.Query(telemetry.Query{AnyScope: true})
	if len(recs) != n {
		t.Fatalf("journal holds %d requests, want %d", len(recs), n)
	}
	for _, r := range recs {
		if r.Provider != "groq" || r.Dialect != "openai" || r.Host != "api.groq.com" || r.Path != "/v1/chat/completions" ||
			r.Source != source || r.Status != http.StatusOK || !r.Complete {
			t.Errorf("journal: %+v", r)
		}
	}
}
