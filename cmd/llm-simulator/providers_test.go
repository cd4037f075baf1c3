package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

const providersExample = "../../examples/providers/openai-compatible.yaml"

// groqStandIn is a local TLS server standing in for api.groq.com, its API
// under /openai as the real one's is; it counts the requests it gets and
// keeps the paths they asked for.
type groqStandIn struct {
	*httptest.Server
	hits  atomic.Int64
	mu    sync.Mutex // guards paths
	paths []string
}

func newGroqStandIn(t *testing.T, dir string) (*groqStandIn, string) {
	t.Helper()
	g := &groqStandIn{}
	answer := &proxy.Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 7}
	g.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.hits.Add(1)
		g.mu.Lock()
		g.paths = append(g.paths, r.URL.Path)
		g.mu.Unlock()
		rest, ok := strings.CutPrefix(r.URL.Path, "/openai/")
		if !ok || r.Header.Get("Authorization") != "Bearer gsk_EXAMPLEKEY" {
			http.Error(w, "wrong path or key", http.StatusNotFound)
			return
		}
		r.URL.Path = "/" + rest
		answer.ServeHTTP(w, r)
	}))
	t.Cleanup(g.Close)
	caFile := filepath.Join(dir, "groq-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: g.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return g, caFile
}

// The OpenAI-compatible example, served by the binary: Groq through
// HTTPS_PROXY is recorded once from its upstream (at the path the app
// sent) and replayed after, by base URL too; OpenRouter answers OpenAI's
// 429 when asked; a local Ollama is simulated; the journal and ctl name
// each provider with its dialect; no key reaches a cassette.
func TestExampleOpenAICompatibleHosts(t *testing.T) {
	dir := t.TempDir()
	groq, caFile := newGroqStandIn(t, dir)
	if out, err := exec.Command(binary(t), "check", providersExample).CombinedOutput(); err != nil || !strings.Contains(string(out), ": ok (") {
		t.Fatalf("check %s: %v\n%s", providersExample, err, out)
	}
	config := filepath.Join(dir, "openai-compatible.yaml") // what a run writes beside it stays out of the repository
	if err := os.WriteFile(config, mustRead(t, providersExample), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GROQ_UPSTREAM", groq.URL+"/openai")
	t.Setenv("GROQ_UPSTREAM_CA_FILE", caFile)
	t.Setenv("OPENROUTER_UPSTREAM", "https://127.0.0.1:1/api") // never dialled: its rules simulate
	t.Setenv("LLMSIM_CASSETTES", filepath.Join(dir, "cassettes"))
	_, ready := startBinary(t, "--config", config, "--ca-dir", filepath.Join(dir, "ca"))
	// Only groq-tape forwards; its upstream must be the stand-in.
	if _, cfg := adminCall(t, ready.Admin, "GET", "/api/v1/config", ""); field(cfg, "providers", "groq", "upstream") != groq.URL+"/openai" {
		t.Fatalf("groq forwards to %v; the test stops before any request", field(cfg, "providers", "groq", "upstream"))
	}

	viaProxy := providersProxyClient(t, ready.Listen, dir)
	groqThroughProxy := openai.NewClient(option.WithBaseURL("https://api.groq.com/openai/v1"), option.WithHTTPClient(viaProxy),
		option.WithAPIKey("gsk_EXAMPLEKEY"), option.WithMaxRetries(0), option.WithHeader("X-Llmsim-Scope", "groq"))
	first, err := groqThroughProxy.Chat.Completions.New(t.Context(), sdkChat("what is new"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := groqThroughProxy.Chat.Completions.New(t.Context(), sdkChat("what is new"))
	if err != nil || again.ID != first.ID || again.Choices[0].Message.Content != first.Choices[0].Message.Content {
		t.Fatalf("the second call did not replay the first: %v %s, first %s", err, again.RawJSON(), first.RawJSON())
	}
	groqByBaseURL := openai.NewClient(option.WithBaseURL("http://"+ready.Listen+"/groq/v1"), option.WithAPIKey("gsk_EXAMPLEKEY"),
		option.WithMaxRetries(0), option.WithHeader("X-Llmsim-Scope", "groq"))
	if byBase, err := groqByBaseURL.Chat.Completions.New(t.Context(), sdkChat("what is new")); err != nil || byBase.ID != first.ID {
		t.Fatalf("by base URL: %v, %+v", err, byBase)
	}
	groq.mu.Lock()
	paths := strings.Join(groq.paths, " ")
	groq.mu.Unlock()
	if groq.hits.Load() != 1 || paths != "/openai/v1/chat/completions" {
		t.Fatalf("the Groq upstream got %d requests (%s) for one distinct call", groq.hits.Load(), paths)
	}
	sources := ""
	for _, e := range journalOf(t, ready.Admin, "groq", 3) {
		if e.Provider != "groq" || e.Dialect != "openai" || e.Path != "/v1/chat/completions" {
			t.Errorf("journal: %+v", e)
		}
		sources += e.Source + " "
	}
	if sources != "forwarded replayed replayed " {
		t.Errorf("journal sources: %s", sources)
	}
	providersOthers(t, ready.Listen, viaProxy)
	providersCtl(t, ready.Admin)
	files, _ := filepath.Glob(filepath.Join(dir, "cassettes", "*.json"))
	if len(files) != 1 {
		t.Fatalf("cassettes: %v", files)
	}
	if strings.Contains(string(mustRead(t, files[0])), "EXAMPLEKEY") {
		t.Fatalf("%s holds the API key", files[0])
	}
}

// providersOthers checks OpenRouter's simulated 429 through the proxy and
// a simulated Ollama by base URL.
func providersOthers(t *testing.T, listen string, viaProxy *http.Client) {
	t.Helper()
	router := openai.NewClient(option.WithBaseURL("https://openrouter.ai/api/v1"), option.WithHTTPClient(viaProxy),
		option.WithAPIKey("sk-or-EXAMPLEKEY"), option.WithMaxRetries(0))
	if _, err := router.Chat.Completions.New(t.Context(), sdkChat("hi")); err != nil {
		t.Fatalf("openrouter: %v", err)
	}
	_, err := router.Chat.Completions.New(t.Context(), sdkChat("hi"), option.WithHeader("x-chaos", "429"))
	apiErr, ok := err.(*openai.Error)
	if !ok || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" || apiErr.Response.Header.Get("Retry-After") != "1" {
		t.Fatalf("openrouter with x-chaos: 429: %v", err)
	}
	ollama := openai.NewClient(option.WithBaseURL("http://"+listen+"/ollama/v1"), option.WithAPIKey("ollama"), option.WithMaxRetries(0))
	var raw *http.Response
	got, err := ollama.Chat.Completions.New(t.Context(), sdkChat("hi"), option.WithResponseInto(&raw))
	if err != nil || got.Object != "chat.completion" || raw.Header.Get("X-Llmsim-Rule") != "simulate-the-rest" {
		t.Fatalf("ollama: %v %+v", err, got)
	}
}

// providersCtl checks ctl names the provider with its dialect.
func providersCtl(t *testing.T, admin string) {
	t.Helper()
	out, _, err := ctlRun(admin, "requests", "--scope", "groq")
	if err != nil || !strings.Contains(out, "groq/openai") {
		t.Errorf("ctl requests: %v\n%s", err, out)
	}
	out, _, err = ctlRun(admin, "explain", "--url", "https://api.groq.com/openai/v1/chat/completions", "--body", `{"model":"m"}`)
	if err != nil || !strings.Contains(out, "groq (dialect openai) /v1/chat/completions") || !strings.Contains(out, "rule groq-tape: replay_or_record") {
		t.Errorf("ctl explain: %v\n%s", err, out)
	}
}

// providersProxyClient is an HTTPS_PROXY client trusting the binary's CA
// in dir/ca.
func providersProxyClient(t *testing.T, listen, dir string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(mustRead(t, filepath.Join(dir, "ca", "ca.pem"))) {
		t.Fatal("no CA certificate in ca/ca.pem")
	}
	tr := &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: listen}), TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
