package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// fakeUpstream stands in for both providers: a local TLS server answering
// as they do, counting the requests it gets. Its certificate is written
// to dir/upstream-ca.pem for the config's ca_file.
func fakeUpstream(t *testing.T, dir string) (*httptest.Server, *atomic.Int64, string) {
	t.Helper()
	var hits atomic.Int64
	front := &proxy.Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 7}
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		front.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	caFile := filepath.Join(dir, "upstream-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return up, &hits, caFile
}

// upstreamsAreLocal fails the test unless every provider the process
// would forward to is on loopback: a test must never reach a real one.
func upstreamsAreLocal(t *testing.T, admin string) {
	t.Helper()
	status, cfg := adminCall(t, admin, "GET", "/api/v1/config", "")
	providers, _ := field(cfg, "providers").(map[string]any)
	if status != 200 || len(providers) == 0 {
		t.Fatalf("GET /api/v1/config: %d %v", status, cfg)
	}
	for name := range providers {
		upstream, _ := field(providers, name, "upstream").(string)
		if upstream == "" && name == "azure" {
			continue // forwards only to the resource host a proxied request names; the drills send none
		}
		if u, err := url.Parse(upstream); err != nil || u.Hostname() != "127.0.0.1" {
			t.Fatalf("provider %s forwards to %q; the test stops before any request", name, upstream)
		}
	}
}

// tapeCalls is what an app's test suite does: a chat call, a chat stream
// and an Anthropic message, with real-looking keys. It returns the
// answers' ids and texts.
func tapeCalls(t *testing.T, listen string) []string {
	t.Helper()
	oc := openai.NewClient(option.WithBaseURL("http://"+listen+"/v1"), option.WithAPIKey("sk-proj-STAGINGKEY"), option.WithMaxRetries(0))
	chat, err := oc.Chat.Completions.New(t.Context(), sdkChat("summarise the release notes"))
	if err != nil {
		t.Fatal(err)
	}
	stream := oc.Chat.Completions.NewStreaming(t.Context(), sdkChat("write a haiku"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil || len(acc.Choices) == 0 || acc.Choices[0].FinishReason == "" {
		t.Fatalf("stream: %v, %+v", err, acc.Choices)
	}
	ac := anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL("http://"+listen),
		aoption.WithAPIKey("sk-ant-STAGINGKEY"), aoption.WithMaxRetries(0))
	msg, err := ac.Messages.New(t.Context(), sdkMessage("claude-sonnet-5-5"))
	if err != nil {
		t.Fatal(err)
	}
	return []string{chat.ID + " " + chat.Choices[0].Message.Content, acc.ID + " " + acc.Choices[0].Message.Content,
		msg.ID + " " + msg.Content[0].Text}
}

// Record in staging against an upstream, stop; replay in CI with the
// upstream gone: the same answers, no key in the cassettes, and a request
// never recorded is a replay miss, not a call out.
func TestDrillRecordInStagingReplayInCI(t *testing.T) {
	dir := drillDir(t, "record-in-staging.yaml", "replay-in-ci.yaml")
	up, hits, caFile := fakeUpstream(t, dir)
	env := map[string]string{"OPENAI_UPSTREAM": up.URL, "OPENAI_UPSTREAM_CA_FILE": caFile,
		"ANTHROPIC_UPSTREAM": up.URL, "ANTHROPIC_UPSTREAM_CA_FILE": caFile,
		"GEMINI_UPSTREAM": up.URL, "GEMINI_UPSTREAM_CA_FILE": caFile}

	staging, ready := runDrill(t, dir, "record-in-staging.yaml", env)
	upstreamsAreLocal(t, ready.Admin)
	recorded := tapeCalls(t, ready.Listen)
	if hits.Load() != 3 {
		t.Fatalf("the upstream got %d requests for 3 calls", hits.Load())
	}
	if err := staging.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := staging.Wait(); err != nil {
		t.Fatalf("the staging process: %v", err)
	}
	up.Close()

	files, _ := filepath.Glob(filepath.Join(dir, "cassettes", "*.json"))
	if len(files) != 3 {
		t.Fatalf("%d recordings in cassettes/: %v", len(files), files)
	}
	for _, f := range files {
		if strings.Contains(string(mustRead(t, f)), "STAGINGKEY") {
			t.Fatalf("%s holds an API key", f)
		}
	}

	_, ready = runDrill(t, dir, "replay-in-ci.yaml", nil)
	if replayed := tapeCalls(t, ready.Listen); strings.Join(replayed, "\n") != strings.Join(recorded, "\n") {
		t.Fatalf("replayed\n%q\nrecorded\n%q", replayed, recorded)
	}
	oc := openai.NewClient(option.WithBaseURL("http://"+ready.Listen+"/v1"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	_, err := oc.Chat.Completions.New(t.Context(), sdkChat("a prompt nobody recorded"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "no_recording" || !strings.Contains(apiErr.Message, "nearest") {
		t.Fatalf("a request never recorded: %v", err)
	}
}

// Offline CI: everything simulated, by base URL and through HTTPS_PROXY;
// the forward rule answers 403 naming itself without dialling, and a
// tunnel to a host that is not intercepted is refused.
func TestDrillOfflineCI(t *testing.T) {
	dir := drillDir(t, "offline-ci.yaml")
	var conns atomic.Int64
	// Would count any connection made to it: as the openai upstream, and
	// as the target of a tunnel.
	up := httptest.NewUnstartedServer(http.NotFoundHandler())
	up.Config.ConnState = func(net.Conn, http.ConnState) { conns.Add(1) }
	up.StartTLS()
	t.Cleanup(up.Close)
	_, ready := runDrill(t, dir, "offline-ci.yaml", map[string]string{"OPENAI_UPSTREAM": up.URL})

	if a := postJSON(t, ready.Listen, "/v1/chat/completions", "", chatBody("hi", false)); a.status != 200 || a.header.Get("X-Llmsim-Rule") != "simulate-everything" {
		t.Fatalf("by base URL: %d, rule %q", a.status, a.header.Get("X-Llmsim-Rule"))
	}
	req, _ := http.NewRequest("POST", "http://"+ready.Listen+"/v1/chat/completions", strings.NewReader(chatBody("hi", false)))
	req.Header.Set("X-Live-Smoke", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	forwarded := exchange{status: resp.StatusCode, body: mustReadAll(t, resp)}
	if e := forwarded.errorBody(t); forwarded.status != 403 || !strings.Contains(e.Error.Message, "live-smoke") {
		t.Fatalf("the forward rule: %d %s", forwarded.status, forwarded.body)
	}

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(mustRead(t, filepath.Join(dir, "ca", "ca.pem"))) {
		t.Fatal("no CA certificate in ca/ca.pem")
	}
	tr := &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: ready.Listen}),
		TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	oc := openai.NewClient(option.WithHTTPClient(&http.Client{Transport: tr}), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	var viaProxy *http.Response
	if _, err := oc.Chat.Completions.New(t.Context(), sdkChat("hi"), option.WithResponseInto(&viaProxy)); err != nil {
		t.Fatalf("https://api.openai.com through the proxy: %v", err)
	}
	if rule := viaProxy.Header.Get("X-Llmsim-Rule"); rule != "simulate-everything" {
		t.Fatalf("https://api.openai.com through the proxy: taken by %q", rule)
	}

	// A tunnel to a host not intercepted: Go's transport reports the
	// refused CONNECT as an error.
	tunnel := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: ready.Listen}),
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if resp, err := tunnel.Get(up.URL); err == nil {
		resp.Body.Close()
		t.Fatalf("a tunnel to %s was opened: %d", up.URL, resp.StatusCode)
	}
	tunnel.CloseIdleConnections()
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connection state changes at the would-be upstream; offline must dial nothing", n)
	}
}

func mustReadAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
