package proxy

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/rs/zerolog"
)

// stack is the whole proxy as a user runs it: one plain-HTTP listener
// taking base-URL, absolute-form and CONNECT requests, interception with a
// CA of its own, and local TLS upstreams standing in for the providers.
type stack struct {
	srv    *httptest.Server
	front  *Front
	ca     *mitm.CA
	leaves *mitm.Leaves
	log    *syncBuffer // the front's log
}

// fakeUpstream is a local TLS server impersonating a provider; it counts the
// requests it gets.
type fakeUpstream struct {
	*httptest.Server
	hits atomic.Int64
}

func newFakeUpstream(t *testing.T, h http.HandlerFunc) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{}
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		h(w, r)
	}))
	u.EnableHTTP2 = true
	u.StartTLS()
	t.Cleanup(u.Close)
	return u
}

// caFile writes the upstream's certificate where a config's ca_file can
// name it.
func (u *fakeUpstream) caFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upstream-ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: u.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// newStack serves config, in which each "{{name}}" is replaced by
// values[name] (an upstream's URL, its CA file); each of tune may set the
// front up before it serves.
// allowing are the upstreams of the default config with egress.allow
// opening targets, for tunnels to local test servers.
func allowing(t *testing.T, targets ...string) *Upstreams {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte("version: 1\n"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Egress.Allow = targets
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ups
}

func newStack(t *testing.T, src string, values map[string]string, tune ...func(*Front)) *stack {
	t.Helper()
	for k, v := range values {
		src = strings.ReplaceAll(src, "{{"+k+"}}", v)
	}
	cfg, err := config.Parse("test.yaml", []byte(src), config.Options{TemplateData: simulate.TemplateData{}})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := SimulatorConfig(&cfg.Simulate)
	sc.Default = simulate.InstantModel()
	live := new(rules.Live)
	live.Store(mustBuild(t, cfg, faults.NewStore(), "test"))
	store, err := cassette.Open(CassetteOptions(&cfg.Cache))
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{log: new(syncBuffer)}
	s.front = &Front{Sim: simulate.New(sc), Rules: live, Seed: 42, Upstreams: ups, Cassettes: store, Log: zerolog.New(s.log)}
	if s.ca, err = mitm.LoadOrCreate(t.TempDir(), mitm.Spec{Hosts: cfg.CAHosts()}); err != nil {
		t.Fatal(err)
	}
	if s.leaves, err = mitm.NewLeaves(s.ca, 16); err != nil {
		t.Fatal(err)
	}
	hosts, err := rules.NewHostSet(*cfg.Intercept.Hosts)
	if err != nil {
		t.Fatal(err)
	}
	in, err := NewInterceptor(s.leaves, hosts, s.front, &http.Server{ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s.front.Intercept = in
	for _, f := range tune {
		f(s.front)
	}
	s.srv = httptest.NewServer(s.front)
	t.Cleanup(func() { s.srv.Close(); _ = in.Server().Close() })
	return s
}

// proxyClient is an http.Client set up as HTTPS_PROXY users set theirs:
// the proxy for every request, the local CA trusted, h2 where offered.
func (s *stack) proxyClient() *http.Client {
	proxyURL, _ := url.Parse(s.srv.URL)
	roots := x509.NewCertPool()
	roots.AddCert(s.ca.Certificate())
	return &http.Client{Transport: &http.Transport{
		Proxy:             http.ProxyURL(proxyURL),
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2: true,
	}}
}

// asOpenAIError is err as the OpenAI SDK's API error; it fails the test
// when err is anything else.
func asOpenAIError(t *testing.T, err error) *openai.Error {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an API error, got %v", err)
	}
	return apiErr
}

// syncBuffer is a log destination that the proxy's goroutines may write
// while a test reads it.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// mustBuild builds cfg's rule set on store, failing the test if it does
// not build.
func mustBuild(tb testing.TB, cfg *config.Config, store *faults.Store, origin string) *rules.Set {
	tb.Helper()
	set, err := rules.Build(cfg, store, origin, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return set
}
