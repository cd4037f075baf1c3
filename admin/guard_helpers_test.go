package admin

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/rs/zerolog"
)

// testRules are the rules the admin tests toggle.
const testRules = `version: 1
rules:
  - name: boom
    faults: [{error: {status: 503}}]
  - name: rest
`

// fakeRuntime counts the calls that would change the process.
type fakeRuntime struct {
	cfg *config.Config
	// upgradeErr is what Upgrade answers.
	upgradeErr error
	mu         sync.Mutex // guards calls and explained
	calls      []string
	explained  *ExplainRequest
}

func (f *fakeRuntime) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeRuntime) Reload() error              { f.record("reload"); return nil }
func (f *fakeRuntime) PutRules(body []byte) error { f.record("put rules"); return nil }
func (f *fakeRuntime) Config() *config.Config     { return f.cfg }
func (f *fakeRuntime) Reset(scope string, all bool) {
	f.record(fmt.Sprintf("reset %q %v", scope, all))
}
func (f *fakeRuntime) Explain(r *ExplainRequest) (*proxy.Explanation, error) {
	f.record("explain")
	f.mu.Lock()
	f.explained = r
	f.mu.Unlock()
	return &proxy.Explanation{Provider: "openai", Path: r.URL, Explanation: rules.Explanation{Rule: "rest", Action: "simulate"}}, nil
}
func (f *fakeRuntime) Upgrade() error { f.record("upgrade"); return f.upgradeErr }

// testAdmin is an admin API over real rules, overlays (with their state
// file) and journal, and a runtime that counts what it was asked.
type testAdmin struct {
	srv       *Server
	handler   http.Handler
	runtime   *fakeRuntime
	overlays  *rules.Overlays
	journal   *telemetry.Journal
	stateFile string
	log       *bytes.Buffer
}

// newTestAdmin builds the API; configure, when not nil, sets the
// Server's fields before its handler is made.
func newTestAdmin(t *testing.T, configure func(s *Server)) *testAdmin {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(testRules), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := faults.NewStore()
	live := &rules.Live{}
	set, err := rules.Build(cfg, store, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	live.Store(set)
	a := &testAdmin{runtime: &fakeRuntime{cfg: cfg}, journal: telemetry.NewJournal(10),
		stateFile: filepath.Join(t.TempDir(), "state.json"), log: &bytes.Buffer{}}
	a.overlays = rules.NewOverlays(store, time.Now, a.stateFile)
	live.SetOverlays(a.overlays)
	a.journal.Add(&telemetry.Record{Time: time.Now(), Method: "POST", Path: "/v1/chat/completions"})
	a.srv = &Server{Health: &Health{}, Rules: live, Overlays: a.overlays, Journal: a.journal, Runtime: a.runtime,
		Log: zerolog.New(a.log)}
	a.srv.Health.SetReady(true)
	if configure != nil {
		configure(a.srv)
	}
	a.handler = a.srv.Handler()
	return a
}

// call sends one request, by default with Host 127.0.0.1:9090 as ctl
// sends it; headers are name, value pairs ("Host" sets the Host).
func (a *testAdmin) call(method, path, body string, headers ...string) (int, string) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Host = "127.0.0.1:9090"
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			r.Host = headers[i+1]
		} else {
			r.Header.Add(headers[i], headers[i+1])
		}
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, r)
	data, _ := io.ReadAll(rec.Body)
	return rec.Code, string(data)
}

// state is everything a call could have changed: the toggles, the
// temporary faults, the runtime's calls, the journal and the state file.
func (a *testAdmin) state() string {
	var b strings.Builder
	toggles := a.overlays.Toggles()
	names := make([]string, 0, len(toggles))
	for n := range toggles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "toggle %s=%v; ", n, toggles[n])
	}
	for _, f := range a.overlays.Faults() {
		fmt.Fprintf(&b, "fault %s; ", f.ID)
	}
	a.runtime.mu.Lock()
	fmt.Fprintf(&b, "runtime %q; ", a.runtime.calls)
	a.runtime.mu.Unlock()
	fmt.Fprintf(&b, "journal %d; ", a.journal.Len())
	if data, err := os.ReadFile(a.stateFile); err == nil {
		fmt.Fprintf(&b, "state file %s", data)
	}
	return b.String()
}

// wantUnchanged fails when a refused call changed anything.
func (a *testAdmin) wantUnchanged(t *testing.T, before string) {
	t.Helper()
	if after := a.state(); after != before {
		t.Errorf("a refused call changed the state:\n before %s\n after  %s", before, after)
	}
}

// wantError checks a refusal: status and the API's JSON error, whose
// message holds each of says.
func wantError(t *testing.T, code int, body string, status int, says ...string) {
	t.Helper()
	if code != status || !strings.HasPrefix(body, `{`) || !strings.Contains(body, `"message"`) {
		t.Fatalf("got %d %s, want %d with a JSON error", code, body, status)
	}
	for _, s := range says {
		if !strings.Contains(body, s) {
			t.Errorf("the %d's message lacks %q: %s", status, s, body)
		}
	}
}
