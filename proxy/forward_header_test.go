package proxy

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// forwardedYAML declares a provider whose host is intercepted (a declared
// provider's hosts are, by default) and forwards every request to it.
const forwardedYAML = `version: 1
providers:
  acme: {upstream: "{{up}}", dialect: openai, hosts: [api.acme.test], ca_file: "{{ca}}"{{opt}}}
rules:
  - name: fwd
    action: forward
`

// X-Forwarded-* reach the provider only where a reverse proxy would add
// them: a request through the proxy goes on as the app sent it (the
// provider never learns the app's address), one by base URL gains them,
// and forwarded_headers turns them on or off for both. Headers the app
// sent itself are passed on either way.
func TestForwardedHeadersOnlyWhereAsked(t *testing.T) {
	for _, c := range []struct {
		name           string
		opt            string
		proxied, based bool // whether each way adds them
	}{
		{"default", "", false, true},
		{"opted in", ", forwarded_headers: true", true, true},
		{"opted out", ", forwarded_headers: false", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []http.Header
			up := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.Header.Clone())
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(chatJSON))
			})
			s := newStack(t, forwardedYAML, map[string]string{"up": up.URL, "ca": up.caFile(t), "opt": c.opt})
			body := `{"model":"m","messages":[]}`
			send := func(hc *http.Client, url string, header ...string) {
				t.Helper()
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for i := 0; i+1 < len(header); i += 2 {
					req.Header.Set(header[i], header[i+1])
				}
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d", url, resp.StatusCode)
				}
			}
			send(s.proxyClient(), "https://api.acme.test/v1/chat/completions")
			send(http.DefaultClient, s.srv.URL+"/acme/v1/chat/completions")
			send(s.proxyClient(), "https://api.acme.test/v1/chat/completions", "X-Forwarded-For", "10.1.2.3")
			if up.hits.Load() != 3 || len(seen) != 3 {
				t.Fatalf("the upstream got %d requests for 3", up.hits.Load())
			}
			checkForwarded(t, "through the proxy", seen[0], c.proxied, "https", "api.acme.test")
			checkForwarded(t, "by base URL", seen[1], c.based, "http", strings.TrimPrefix(s.srv.URL, "http://"))
			wantFor := "10.1.2.3"
			if c.proxied {
				wantFor += ", 127.0.0.1"
			}
			if got := seen[2].Get("X-Forwarded-For"); got != wantFor {
				t.Errorf("the app's own X-Forwarded-For reached the upstream as %q, want %q", got, wantFor)
			}
		})
	}
}

func checkForwarded(t *testing.T, how string, h http.Header, want bool, proto, host string) {
	t.Helper()
	got := [3]string{h.Get("X-Forwarded-For"), h.Get("X-Forwarded-Proto"), h.Get("X-Forwarded-Host")}
	if !want {
		if got != [3]string{} {
			t.Errorf("%s: the upstream got X-Forwarded-For/-Proto/-Host %q", how, got)
		}
		return
	}
	if got != [3]string{"127.0.0.1", proto, host} {
		t.Errorf("%s: X-Forwarded-For/-Proto/-Host %q, want %q", how, got, [3]string{"127.0.0.1", proto, host})
	}
}
