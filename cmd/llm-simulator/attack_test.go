package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The attack table: what a client of the proxy port on a shared network
// tries, against the real binary, with the default config and with
// catch-all forward and record configs. Every attempt must get a 403 and
// reach nothing: the targets count their hits, the admin API's state is
// read directly afterwards, and no cassette is written. The reshaping
// issues keep this test as the guard they must not break.
func TestAttackTable(t *testing.T) {
	other := newCountingServer(t)    // another loopback port
	upstream := newCountingServer(t) // a provider's configured upstream, on loopback
	dir := t.TempDir()
	configs := map[string]string{
		"default": "",
		"catch-all forward": fmt.Sprintf(`version: 1
providers:
  local: {upstream: "http://%s", dialect: openai}
rules:
  - {name: everything, action: forward}
`, upstream.addr),
		"catch-all record": fmt.Sprintf(`version: 1
providers:
  local: {upstream: "http://%s", dialect: openai}
cache: {dir: %s}
rules:
  - {name: everything, action: record}
`, upstream.addr, filepath.Join(dir, "cassettes")),
	}
	for name, config := range configs {
		t.Run(name, func(t *testing.T) {
			ready := startWith(t, config)
			for _, a := range attacks(ready, other.addr, upstream.addr) {
				t.Run(a.name, func(t *testing.T) {
					status, body := a.try(t, ready.Listen)
					if status != http.StatusForbidden || !strings.Contains(body, "egress") {
						t.Fatalf("got %d %q, want 403 from the egress policy", status, body)
					}
				})
			}
			if n := other.hits.Load() + upstream.hits.Load(); n != 0 {
				t.Errorf("%d requests reached a target the proxy should have refused", n)
			}
			if st, v := adminCall(t, ready.Admin, "GET", "/api/v1/faults", ""); st != 200 || len(field(v, "faults").([]any)) != 0 {
				t.Errorf("the admin API's faults changed: %d %v", st, v)
			}
		})
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "cassettes")); len(entries) != 0 {
		t.Errorf("the record config wrote %d cassette files from refused requests", len(entries))
	}
}

// attack is one attempt through the proxy port.
type attack struct {
	name string
	try  func(t *testing.T, proxyAddr string) (int, string)
}

func attacks(ready readyLine, other, upstream string) []attack {
	catchAll := `{"faults":[{"error":{"status":500}}],"ttl":"1h"}`
	var list []attack
	for _, target := range []struct{ name, addr string }{
		{"admin", ready.Admin},
		{"another loopback port", other},
		{"a provider's upstream named directly", upstream},
		{"localhost", "localhost:" + portOf(other)},
		{"IPv4-mapped loopback", "[::ffff:127.0.0.1]:" + portOf(other)},
		{"cloud metadata", "169.254.169.254:80"},
		{"EC2 IPv6 metadata", "[fd00:ec2::254]:80"},
		{"a private address", "10.0.0.1:443"},
	} {
		list = append(list,
			attack{"CONNECT " + target.name, connectAttack(target.addr)},
			attack{"absolute-form GET " + target.name, absoluteAttack("GET", "http://"+target.addr+"/api/v1/config", "")},
			attack{"absolute-form POST " + target.name, absoluteAttack("POST", "http://"+target.addr+"/api/v1/faults", catchAll)})
	}
	// A tunnel into the proxy itself would loop; an absolute-form request
	// for its own address is the base-URL request it spells, below.
	return append(list, attack{"CONNECT to port 25", connectAttack("93.184.216.34:25")},
		attack{"CONNECT proxy itself", connectAttack(ready.Listen)})
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// connectAttack asks for a tunnel to target and returns the answer.
func connectAttack(target string) func(*testing.T, string) (int, string) {
	return func(t *testing.T, proxyAddr string) (int, string) {
		c, err := net.DialTimeout("tcp", proxyAddr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
		resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: http.MethodConnect})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK {
			return resp.StatusCode, "" // a tunnel: what follows is the target's
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
}

// absoluteAttack sends an absolute-form request through the proxy.
func absoluteAttack(method, target, body string) func(*testing.T, string) (int, string) {
	return func(t *testing.T, proxyAddr string) (int, string) {
		proxyURL := &url.URL{Scheme: "http", Host: proxyAddr}
		hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
		defer hc.CloseIdleConnections()
		req, err := http.NewRequest(method, target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}

// countingServer is a loopback HTTP server that counts the requests that
// reach it, and the raw connections too: a tunnel opened to it carries
// no request the server would see.
type countingServer struct {
	addr     string
	hits     atomic.Int64 // connections
	requests atomic.Int64
}

func newCountingServer(t *testing.T) *countingServer {
	t.Helper()
	c := &countingServer{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		_, _ = io.WriteString(w, `{"object":"list","data":[]}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			c.hits.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c.addr = srv.Listener.Addr().String()
	return c
}

// startWith starts the binary with config ("" for the embedded default).
func startWith(t *testing.T, config string) readyLine {
	t.Helper()
	dir := t.TempDir()
	args := []string{"--ca-dir", filepath.Join(dir, "ca")}
	if config != "" {
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", path)
	}
	_, ready := startBinary(t, args...)
	return ready
}

// What the policy lets through: a provider's loopback upstream serves
// that provider's forwarded traffic, a target in egress.allow is reached
// by CONNECT and by absolute-form, and an intercepted connection's
// requests may name only its CONNECT host.
func TestEgressAllowsWhatTheConfigNames(t *testing.T) {
	other := newCountingServer(t)
	upstream := newCountingServer(t)
	// The provider claims only its own name: by default it would claim
	// every port of 127.0.0.1, the allowed target's too.
	ready := startWith(t, fmt.Sprintf(`version: 1
providers:
  local: {upstream: "http://%s", dialect: openai, hosts: [local.test]}
egress: {allow: ["%s"]}
rules:
  - {name: everything, action: forward}
`, upstream.addr, other.addr))

	resp, err := http.Get("http://" + ready.Listen + "/local/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || upstream.hits.Load() != 1 {
		t.Fatalf("base-URL forward to the configured upstream: %d, %d hits", resp.StatusCode, upstream.hits.Load())
	}
	if st, body := absoluteAttack("GET", "http://"+other.addr+"/v1/models", "")(t, ready.Listen); st != 200 {
		t.Fatalf("absolute-form to an allowed target: %d %q", st, body)
	}
	if st := getThroughTunnel(t, ready.Listen, other.addr); st != 200 {
		t.Fatalf("a request through a CONNECT tunnel to an allowed target: %d", st)
	}
	// Each request is counted before its answer is written, so both are
	// in once the answers are read.
	if n := other.requests.Load(); n != 2 {
		t.Errorf("the allowed target saw %d requests, want the forward's and the tunnel's", n)
	}
	// HTTP_PROXY and a base URL both pointing at the proxy: answered as
	// the base-URL request, which here forwards to the provider.
	if st, body := absoluteAttack("GET", "http://"+ready.Listen+"/local/v1/models", "")(t, ready.Listen); st != 200 || upstream.requests.Load() != 2 {
		t.Fatalf("absolute-form for the proxy's own address: %d %q, %d upstream requests", st, body, upstream.requests.Load())
	}
	if st, _ := misdirectedAttack(t, ready.Listen, ready.Admin); st != http.StatusMisdirectedRequest {
		t.Errorf("an intercepted request naming another host: %d, want 421", st)
	}
}

// tunnel asks the proxy for a tunnel to target; the connection then
// carries what the target says (a bufio.Reader may hold its first bytes
// past the proxy's answer, so reads go through the one returned).
func tunnel(t *testing.T, proxyAddr, target string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", proxyAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT %s: %v %v", target, resp, err)
	}
	return c, br
}

// getThroughTunnel opens a tunnel to target and sends a GET through it.
func getThroughTunnel(t *testing.T, proxyAddr, target string) int {
	t.Helper()
	c, br := tunnel(t, proxyAddr, target)
	fmt.Fprintf(c, "GET /v1/models HTTP/1.1\r\nHost: %s\r\n\r\n", target)
	st, _ := readAnswer(t, br)
	return st
}

// misdirectedAttack opens an intercepted connection to api.openai.com and
// asks it, inside, for host.
func misdirectedAttack(t *testing.T, proxyAddr, host string) (int, string) {
	t.Helper()
	c, _ := tunnel(t, proxyAddr, "api.openai.com:443")
	// The certificate is not what this checks: the host binding is.
	tc := tls.Client(c, &tls.Config{ServerName: "api.openai.com", InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	fmt.Fprintf(tc, "GET /api/v1/config HTTP/1.1\r\nHost: %s\r\n\r\n", host)
	return readAnswer(t, bufio.NewReader(tc))
}

// readAnswer reads one HTTP answer from br: its status and body.
func readAnswer(t *testing.T, br *bufio.Reader) (int, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
