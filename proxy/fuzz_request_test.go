package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// requestFuzzYAML is offline: nothing the fuzzer sends can make the proxy
// dial anywhere, and a CONNECT to a host not intercepted is refused.
const requestFuzzYAML = `version: 1
upstreams: deny
intercept: {hosts: [api.openai.com, "*.anthropic.com"]}
providers:
  groq: {upstream: "https://api.groq.com/openai", dialect: openai, hosts: [api.groq.com]}
`

// requestFront serves requestFuzzYAML on a loopback listener.
func requestFront(f *testing.F) (*Front, *httptest.Server) {
	cfg, err := config.Parse("req.yaml", []byte(requestFuzzYAML), config.Options{})
	if err != nil {
		f.Fatal(err)
	}
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		f.Fatal(err)
	}
	live := new(rules.Live)
	live.Store(mustBuild(f, cfg, faults.NewStore(), "fuzz"))
	front := &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 1, Upstreams: ups}
	ca, err := mitm.LoadOrCreate(f.TempDir(), mitm.Spec{Hosts: cfg.CAHosts()})
	if err != nil {
		f.Fatal(err)
	}
	leaves, err := mitm.NewLeaves(ca, 4)
	if err != nil {
		f.Fatal(err)
	}
	hosts, err := rules.NewHostSet(*cfg.Intercept.Hosts)
	if err != nil {
		f.Fatal(err)
	}
	// Every CONNECT the fuzzer establishes ends in a failed handshake:
	// not worth a log line each.
	quiet := log.New(io.Discard, "", 0)
	in, err := NewInterceptor(leaves, hosts, front, &http.Server{ReadHeaderTimeout: 5 * time.Second, ErrorLog: quiet})
	if err != nil {
		f.Fatal(err)
	}
	front.Intercept = in
	srv := httptest.NewServer(front)
	f.Cleanup(func() { srv.Close(); _ = in.Server().Close() })
	return front, srv
}

// stripped drops the bytes that would split a request line's fields.
func stripped(s, cut string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(cut, r) {
			return -1
		}
		return r
	}, s)
}

// FuzzProxyRequest sends arbitrary request lines — methods, origin- and
// absolute-form targets, CONNECT authorities — with arbitrary Host
// headers to the proxy's listener. Each gets a 2xx or a 4xx, never a 5xx
// and never a dropped connection; a CONNECT is established exactly when
// its host is intercepted (and refused, offline, otherwise); an error our
// code writes has the shape of the provider the request is routed to.
func FuzzProxyRequest(f *testing.F) {
	front, srv := requestFront(f)
	f.Add("POST", "/v1/chat/completions", "127.0.0.1", false)
	f.Add("GET", "http://api.anthropic.com/v1/models", "api.anthropic.com", false)
	f.Add("GET", "/anthropic/v1/models", "x", true)
	f.Add("POST", "https://api.groq.com/openai/v1/messages", "api.groq.com:443", false)
	f.Add("CONNECT", "api.openai.com:443", "api.openai.com:443", false)
	f.Add("CONNECT", "example.com:443", "example.com:443", false)
	f.Add("CONNECT", "[::1]:443", "", false)
	f.Add("GET", "http://[::1/v1", "h", false)
	f.Fuzz(func(t *testing.T, method, target, host string, anthropic bool) {
		method, target, host = stripped(method, " \r\n"), stripped(target, " \r\n"), stripped(host, "\r\n")
		head := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
		if anthropic {
			head += "Anthropic-Version: 2023-06-01\r\n"
		}
		head += "Content-Length: 0\r\n\r\n"
		resp, body := roundTripRaw(t, srv, head)
		if resp.StatusCode >= 500 || resp.StatusCode < 200 || (resp.StatusCode >= 300 && resp.StatusCode < 400) {
			t.Fatalf("%q: status %d: %s", head, resp.StatusCode, body)
		}
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			return // the server refused it too: it answered below 500
		}
		if r.Method == http.MethodConnect {
			checkConnect(t, front, r, resp)
			return
		}
		tgt := targetOf(r, front.upstreams())
		checkTarget(t, r, tgt, front.upstreams())
		if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") == "application/json" {
			checkErrorShape(t, tgt.dialect, body)
		}
	})
}

// roundTripRaw writes head to the server and reads its answer.
func roundTripRaw(t *testing.T, srv *httptest.Server, head string) (*http.Response, []byte) {
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("%q: no answer: %v", head, err)
	}
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(head, "CONNECT ") {
		return resp, nil // the body is the tunnel
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%q: answer cut off: %v", head, err)
	}
	return resp, body
}

// checkConnect: intercepted hosts are established, the rest refused by
// the offline guard.
func checkConnect(t *testing.T, front *Front, r *http.Request, resp *http.Response) {
	t.Helper()
	switch in := front.Intercept.Intercepts(r.Host); {
	case resp.StatusCode == http.StatusBadRequest:
		// net/http refuses a Host it finds invalid before the handler runs.
	case in && resp.StatusCode != http.StatusOK, !in && resp.StatusCode != http.StatusForbidden:
		t.Fatalf("CONNECT %s (intercepted: %v): status %d", r.Host, in, resp.StatusCode)
	}
}

// checkTarget checks a route against the request it came from.
func checkTarget(t *testing.T, r *http.Request, tgt target, ups *Upstreams) {
	t.Helper()
	if tgt.dialect != "openai" && tgt.dialect != "anthropic" {
		t.Fatalf("%s %s: dialect %q", r.Method, r.RequestURI, tgt.dialect)
	}
	if !strings.HasSuffix(r.URL.Path, tgt.path) {
		t.Fatalf("%s: API path %q is not the end of %q", r.RequestURI, tgt.path, r.URL.Path)
	}
	if r.URL.Scheme != "" && r.URL.Host != "" {
		up := ups.ForHost(r.URL.Host)
		apiPath := r.URL.Path // a provider's base path (Groq's /openai) is not the API's
		if up != nil {
			apiPath = up.apiPath(r.URL.Path)
		}
		switch {
		case tgt.path != apiPath || tgt.host != rules.HostOnly(r.URL.Host):
			t.Fatalf("%s: proxied request routed to %s%s", r.RequestURI, tgt.host, tgt.path)
		case apiPath != r.URL.Path && destinationPath(tgt, ups) != r.URL.Path:
			t.Fatalf("%s: the forward would not keep the client's path: %s", r.RequestURI, destinationPath(tgt, ups))
		case up != nil && (tgt.up != up || tgt.provider != up.Name):
			t.Fatalf("%s: host claimed by %s, routed to %s", r.RequestURI, up.Name, tgt.provider)
		case up == nil && (tgt.scheme != r.URL.Scheme || tgt.authority != r.URL.Host):
			t.Fatalf("%s: unclaimed host routed to %s://%s", r.RequestURI, tgt.scheme, tgt.authority)
		}
	}
	dst, _ := tgt.destination(ups)
	if !strings.HasSuffix(dst.Path, tgt.path) {
		t.Fatalf("%s: forward would go to %s, losing the path %q", r.RequestURI, dst, tgt.path)
	}
}

// destinationPath is the path a forward of tgt would go to.
func destinationPath(tgt target, ups *Upstreams) string {
	dst, _ := tgt.destination(ups)
	return dst.Path
}

// checkErrorShape asserts body is dialect's error object.
func checkErrorShape(t *testing.T, dialect string, body []byte) {
	t.Helper()
	var e struct {
		Type  string `json:"type"`
		Error *struct {
			Type    *string `json:"type"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil || e.Error.Type == nil || e.Error.Message == nil {
		t.Fatalf("%s error body without error.type and error.message: %s", dialect, body)
	}
	if anthropic := e.Type == "error"; anthropic != (dialect == "anthropic") {
		t.Fatalf("a request routed to %s got this error: %s", dialect, bytes.TrimSpace(body))
	}
}
