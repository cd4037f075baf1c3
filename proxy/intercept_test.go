package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

const interceptYAML = `version: 1
providers:
  openai: {upstream: "{{openai}}", ca_file: "{{ca}}"}
rules:
  - name: fwd
    match: {model: "fwd-*"}
    action: forward
  - name: rest
    action: simulate
`

// The official SDKs, pointed at the real API hosts and routed through the
// proxy as HTTPS_PROXY routes them, work unchanged over h2 against a
// simulate rule; a forward rule sends the intercepted call on to the
// provider's configured upstream, not to the real host.
func TestSDKsThroughHTTPSProxy(t *testing.T) {
	up := openAIUpstream(t, nil)
	s := newStack(t, interceptYAML, map[string]string{"openai": up.URL, "ca": up.caFile(t)})
	hc := s.proxyClient()

	oc := openai.NewClient(option.WithHTTPClient(hc), option.WithAPIKey("sk-test"))
	var raw *http.Response
	got, err := oc.Chat.Completions.New(context.Background(), chatParams("gpt-4o-mini"), option.WithResponseInto(&raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || raw.ProtoMajor != 2 || raw.Header.Get("X-Llmsim-Rule") != "rest" {
		t.Fatalf("simulated through the proxy: %s, %s, rule %q", got.Object, raw.Proto, raw.Header.Get("X-Llmsim-Rule"))
	}
	stream := oc.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o-mini"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil || acc.Choices[0].FinishReason == "" {
		t.Fatalf("stream through the proxy: %v %+v", err, acc.Choices)
	}

	fwd, err := oc.Chat.Completions.New(context.Background(), chatParams("fwd-model"))
	if err != nil || fwd.ID != "chatcmpl-upstream" || up.hits.Load() != 1 {
		t.Fatalf("forwarded through the proxy: %v %+v (upstream hits %d)", err, fwd, up.hits.Load())
	}
	resp, err := hc.Post("https://api.openai.com/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"fwd-model","messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != chatJSON {
		t.Fatalf("the forwarded bytes changed on the way:\n%s", body)
	}

	ac := anthropic.NewClient(aoption.WithHTTPClient(hc), aoption.WithAPIKey("sk-ant-test"))
	msg, err := ac.Messages.New(context.Background(), messageParams("claude-sonnet-4-5"))
	if err != nil || msg.Type != "message" || msg.StopReason == "" {
		t.Fatalf("anthropic through the proxy: %v %+v", err, msg)
	}
	if n := s.leaves.Minted(); n != 2 {
		t.Errorf("minted %d leaves for two hosts", n)
	}
}

// Many clients connecting to one host at once get one certificate.
func TestConcurrentHandshakesMintOnce(t *testing.T) {
	s := newStack(t, "version: 1\n", nil)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := s.proxyClient() // a transport each: a handshake each
			resp, err := hc.Get("https://api.openai.com/v1/models")
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if n := s.leaves.Minted(); n != 1 {
		t.Fatalf("minted %d certificates for one host", n)
	}
}

// A CONNECT to a host not intercepted is a blind tunnel: the client sees
// that server's own certificate and bytes.
func TestTunnelForHostsNotIntercepted(t *testing.T) {
	other := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "the other server") })
	s := newStack(t, "version: 1\negress: {allow: [\"{{host}}\"]}\n", map[string]string{"host": other.Listener.Addr().String()})
	proxyURL, _ := url.Parse(s.srv.URL)
	roots := x509.NewCertPool()
	roots.AddCert(other.Certificate()) // and not our CA: a leaf of ours would fail
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := hc.Get(other.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "the other server" || !resp.TLS.PeerCertificates[0].Equal(other.Certificate()) {
		t.Fatalf("through the tunnel: %q", body)
	}
	if s.leaves.Minted() != 0 {
		t.Fatal("a tunnelled host got a certificate of ours")
	}
}

// A client that half-closes its side of a tunnel still gets the whole
// answer: the half-close passes through.
func TestTunnelPassesHalfClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		got, _ := io.ReadAll(c) // to the client's half-close
		_, _ = c.Write([]byte("got " + string(got)))
	}()
	s := newStack(t, "version: 1\negress: {allow: [\"{{host}}\"]}\n", map[string]string{"host": ln.Addr().String()})
	c := connectThrough(t, s, ln.Addr().String())
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(c)
	if err != nil || string(reply) != "got ping" {
		t.Fatalf("reply %q, %v", reply, err)
	}
}

// connectThrough opens a CONNECT tunnel to addr and returns the raw
// connection after the proxy's 200.
func connectThrough(t *testing.T, s *stack, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "CONNECT "+addr+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	if br.Buffered() > 0 {
		t.Fatal("bytes after the CONNECT answer")
	}
	return c
}

// An HTTP_PROXY request (absolute-form) is routed by its host and
// answered by the rules like any other.
func TestAbsoluteFormProxyRequests(t *testing.T) {
	s := newStack(t, "version: 1\n", nil)
	hc := s.proxyClient()
	resp, err := hc.Get("http://api.anthropic.com/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"has_more"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
