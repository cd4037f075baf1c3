package admin

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
)

// newTestClient serves the admin API of newTestAdmin, with a cassette
// store and metrics, on a loopback listener, and returns a Client of it.
func newTestClient(t *testing.T, configure func(s *Server)) (*testAdmin, *Client) {
	t.Helper()
	store, err := cassette.Open(cassette.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAdmin(t, func(s *Server) {
		s.Cassettes, s.Metrics = store, telemetry.NewMetrics("test")
		if configure != nil {
			configure(s)
		}
	})
	srv := httptest.NewServer(a.handler)
	transport := &http.Transport{}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		srv.Close()
	})
	return a, &Client{Addr: srv.Listener.Addr().String(), Token: a.srv.Token, HTTP: &http.Client{Transport: transport}}
}

// typesSent notes the Content-Type of each request a client sends, as
// "METHOD PATH TYPE".
type typesSent struct {
	next http.RoundTripper
	mu   sync.Mutex // guards sent
	sent []string
}

func watchTypes(c *Client) *typesSent {
	w := &typesSent{next: c.HTTP.Transport}
	c.HTTP = &http.Client{Transport: w}
	return w
}

func (w *typesSent) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.sent = append(w.sent, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
	w.mu.Unlock()
	return w.next.RoundTrip(r)
}

func (w *typesSent) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.sent, "\n")
}

func TestClientRules(t *testing.T) {
	a, c := newTestClient(t, nil)
	ctx := context.Background()
	v, err := c.Rules(ctx)
	if err != nil || len(v.Rules) != 2 || v.Rules[0].Name != "boom" || v.Rules[0].Faults[0] != "error" || v.DefaultAction == "" || v.Loaded.IsZero() {
		t.Fatalf("rules: %v %+v", err, v)
	}
	off, err := c.SetRuleEnabled(ctx, "boom", false)
	if err != nil || off.Name != "boom" || off.Enabled || !off.Toggled {
		t.Fatalf("disable: %v %+v", err, off)
	}
	if on, err := c.SetRuleEnabled(ctx, "boom", true); err != nil || !on.Enabled {
		t.Fatalf("enable: %v %+v", err, on)
	}
	sent := watchTypes(c)
	for _, body := range []string{"- name: y\n", `[{"name":"j"}]`} {
		if v, err := c.PutRules(ctx, []byte(body)); err != nil || len(v.Rules) != 2 {
			t.Errorf("put %q: %v %+v", body, err, v)
		}
	}
	if v, err := c.Reload(ctx); err != nil || v.Rules[1].Name != "rest" {
		t.Errorf("reload: %v %+v", err, v)
	}
	// A call without a body is JSON all the same: the API refuses a
	// state-changing call of any other type.
	if want := "PUT /api/v1/rules application/yaml\nPUT /api/v1/rules application/json\nPOST /api/v1/reload application/json"; sent.String() != want {
		t.Errorf("sent:\n%s\nwant:\n%s", sent, want)
	}
	if got := a.state(); !strings.Contains(got, `runtime ["put rules" "put rules" "reload"]`) {
		t.Errorf("the runtime was asked: %s", got)
	}
}

func TestClientFaults(t *testing.T) {
	_, c := newTestClient(t, nil)
	ctx := context.Background()
	added, err := c.AddFault(ctx, []byte(`{"match":{"model":"gpt-*"},"faults":[{"error":{"status":503}}],"ttl":"2m","scope":"t1"}`))
	if err != nil || !strings.HasPrefix(added.ID, "f-") || added.Scope != "t1" || added.Match.Model != "gpt-*" ||
		added.Left <= time.Minute || added.Left > 2*time.Minute || time.Until(added.Expires) > 2*time.Minute {
		t.Fatalf("add: %v %+v", err, added)
	}
	list, err := c.Faults(ctx)
	if err != nil || len(list) != 1 || list[0].ID != added.ID || list[0].Left <= 0 || !strings.Contains(string(list[0].Faults), `"status": 503`) {
		t.Fatalf("faults: %v %+v", err, list)
	}
	if err := c.RemoveFault(ctx, added.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := c.Faults(ctx); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("after removing: %v %+v", err, list)
	}
}

func TestClientJournal(t *testing.T) {
	a, c := newTestClient(t, nil)
	ctx := context.Background()
	a.journal.Add(&telemetry.Record{Time: time.Now(), Method: "POST", Path: "/v1/messages", Scope: "t1", Rule: "boom",
		Status: 503, TTFB: 1500 * time.Microsecond, RequestRetry: map[string]string{"x-stainless-retry-count": "1"}})
	all, err := c.Requests(ctx, RequestsQuery{})
	if err != nil || len(all) != 2 {
		t.Fatalf("every request: %v %+v", err, all)
	}
	t1, none := "t1", ""
	for _, tc := range []struct {
		name  string
		q     RequestsQuery
		paths string
	}{
		{"one scope", RequestsQuery{Scope: &t1}, "/v1/messages"},
		{"no scope", RequestsQuery{Scope: &none}, "/v1/chat/completions"},
		{"by rule", RequestsQuery{Rule: "boom", Since: "1h"}, "/v1/messages"},
		{"the last", RequestsQuery{Limit: 1}, "/v1/messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := c.Requests(ctx, tc.q)
			var paths []string
			for _, r := range recs {
				paths = append(paths, r.Path)
			}
			if err != nil || strings.Join(paths, " ") != tc.paths {
				t.Fatalf("%v: %v, want %s", err, paths, tc.paths)
			}
		})
	}
	recs, _ := c.Requests(ctx, RequestsQuery{Scope: &t1})
	if r := recs[0]; r.TTFB != 1500*time.Microsecond || r.Status != 503 || r.RequestRetry["x-stainless-retry-count"] != "1" {
		t.Errorf("the record read back: %+v", r)
	}
	if err := c.ClearRequests(ctx, &t1); err != nil || a.journal.Len() != 1 {
		t.Fatalf("clear t1: %v, %d left", err, a.journal.Len())
	}
	if err := c.ClearRequests(ctx, nil); err != nil || a.journal.Len() != 0 {
		t.Fatalf("clear all: %v, %d left", err, a.journal.Len())
	}
}

func TestClientCache(t *testing.T) {
	a, c := newTestClient(t, nil)
	ctx := context.Background()
	v, err := c.Cache(ctx)
	if err != nil || v.Dir != a.srv.Cassettes.Dir() || v.Misses == nil {
		t.Fatalf("cache: %v %+v", err, v)
	}
	if p, err := c.PurgeCache(ctx, true); err != nil || p.DeletedFiles != 0 {
		t.Fatalf("purge: %v %+v", err, p)
	}
	sent := watchTypes(c)
	var archive bytes.Buffer
	n, err := c.ExportCassettes(ctx, &archive)
	if err != nil || n == 0 || n != int64(archive.Len()) {
		t.Fatalf("export: %v, %d bytes of %d", err, n, archive.Len())
	}
	// The archive goes as application/gzip, which the guard requires.
	if imp, err := c.ImportCassettes(ctx, &archive); err != nil || imp.Added != 0 || imp.SkippedExisting != 0 {
		t.Fatalf("import: %v %+v", err, imp)
	}
	if want := "GET /api/v1/cache/export \nPOST /api/v1/cache/import application/gzip"; sent.String() != want {
		t.Errorf("sent:\n%s\nwant:\n%s", sent, want)
	}
}

func TestClientControl(t *testing.T) {
	a, c := newTestClient(t, nil)
	ctx := context.Background()
	if u, err := c.Upgrade(ctx); err != nil || !strings.HasPrefix(u.Status, "upgraded") {
		t.Fatalf("upgrade: %v %+v", err, u)
	}
	if cfg, err := c.Config(ctx); err != nil || !bytes.Contains(cfg, []byte(`"rules"`)) {
		t.Fatalf("config: %v %s", err, cfg)
	}
	scope := "a"
	if err := c.Reset(ctx, &scope); err != nil {
		t.Fatal(err)
	}
	if err := c.Reset(ctx, nil); err != nil {
		t.Fatal(err)
	}
	req := &ExplainRequest{Method: "POST", URL: "/v1/chat/completions", Headers: map[string]string{"x-test": "a"}}
	req.SetBody([]byte("not json"))
	ex, err := c.Explain(ctx, req)
	if err != nil || ex.Rule != "rest" || ex.Action != "simulate" || ex.Path != "/v1/chat/completions" {
		t.Fatalf("explain: %v %+v", err, ex)
	}
	a.runtime.mu.Lock()
	got := a.runtime.explained
	a.runtime.mu.Unlock()
	if string(got.Body) != `"not json"` || got.Headers["x-test"] != "a" {
		t.Errorf("the runtime was asked to explain %+v (body %s)", got, got.Body)
	}
	if got := a.state(); !strings.Contains(got, `"upgrade" "reset \"a\" false" "reset \"\" true" "explain"`) {
		t.Errorf("the runtime was asked: %s", got)
	}
}

func TestClientProbesAndMetrics(t *testing.T) {
	a, c := newTestClient(t, nil)
	ctx := context.Background()
	if h, err := c.Health(ctx); err != nil || h.Status != "ok" {
		t.Fatalf("health: %v %+v", err, h)
	}
	if r, err := c.Ready(ctx); err != nil || r.Status != "ready" {
		t.Fatalf("ready: %v %+v", err, r)
	}
	if m, err := c.Metrics(ctx); err != nil || !bytes.Contains(m, []byte("# TYPE ")) {
		t.Fatalf("metrics: %v %.200s", err, m)
	}
	// The probes' bodies stay one line each, as they always were.
	if code, body := a.call("GET", "/healthz", ""); code != 200 || body != `{"status":"ok"}`+"\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
}
