package admin

import (
	"strings"
	"testing"
)

// mutatingCall is one call that changes state, with a body its route
// reads and the status it gets once through the guard.
type mutatingCall struct {
	method, path, body, bodyType string
	status                       int
}

// mutatingCalls are every route but GET's; deleteFault removes faultID.
func mutatingCalls(faultID string) []mutatingCall {
	return []mutatingCall{
		{"POST", "/api/v1/faults", `{"match":{"scope":"t2"},"faults":[{"error":{"status":500}}],"ttl":"1m"}`, "application/json", 201},
		{"PUT", "/api/v1/rules", "- name: x\n", "application/yaml", 200},
		{"POST", "/api/v1/rules/boom/disable", "", "application/json", 200},
		{"POST", "/api/v1/reload", "", "application/json", 200},
		{"POST", "/api/v1/upgrade", "", "application/json", 200},
		{"POST", "/api/v1/reset", "", "application/json", 204},
		{"POST", "/api/v1/reset?scope=t1", "", "application/json", 204},
		{"POST", "/api/v1/explain", `{"url":"/v1/chat/completions"}`, "application/json", 200},
		{"DELETE", "/api/v1/requests", "", "application/json", 204},
		{"DELETE", "/api/v1/faults/" + faultID, "", "application/json", 204},
		{"DELETE", "/api/v1/cache?recordings=true", "", "application/json", 404}, // no cassette store here
		{"POST", "/api/v1/cache/import", "\x1f\x8b", "application/gzip", 404},
		{"POST", "/debug/pprof/symbol", "0x1", "application/json", 200},
	}
}

// withFault adds a temporary fault for a DELETE to remove, and returns
// its id.
func withFault(t *testing.T, a *testAdmin) string {
	t.Helper()
	spec, err := a.overlays.ParseFault([]byte(`{"match":{"scope":"t1"},"faults":[{"error":{"status":503}}],"ttl":"1h"}`))
	if err != nil {
		t.Fatal(err)
	}
	f, err := a.overlays.AddFault(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f.ID
}

// Every call that changes state refuses the body types a browser sends
// without a preflight — a form, a text/plain fetch, multipart — and no
// type at all, with a 415 that says what to send; nothing changes.
func TestMutatingCallsRefuseWhatAFormSends(t *testing.T) {
	a := newTestAdmin(t, nil)
	id := withFault(t, a)
	before := a.state()
	refused := []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=xyz", "application/jsonp", "text/json", "application/json, text/plain", "application/"}
	for _, c := range mutatingCalls(id) {
		for _, ct := range refused {
			t.Run(c.method+" "+c.path+" "+ct, func(t *testing.T) {
				var headers []string
				if ct != "" {
					headers = []string{"Content-Type", ct}
				}
				code, body := a.call(c.method, c.path, c.body, headers...)
				wantError(t, code, body, 415, "must say Content-Type: ", c.bodyType, "curl -H")
				a.wantUnchanged(t, before)
			})
		}
	}
	// Two Content-Type headers are one too many, whatever they say.
	code, body := a.call("POST", "/api/v1/reset", "", "Content-Type", "application/json", "Content-Type", "text/plain")
	wantError(t, code, body, 415)
	a.wantUnchanged(t, before)
	if !strings.Contains(a.log.String(), `"status":415`) || !strings.Contains(a.log.String(), `"content_type":"text/plain"`) {
		t.Errorf("refusals are not logged at warn with the type: %s", a.log)
	}
}

// With the type its route reads, every call passes, in any case and with
// parameters; YAML only where YAML is read, gzip only for an import.
func TestMutatingCallsTakeTheirBodyType(t *testing.T) {
	a := newTestAdmin(t, nil)
	id := withFault(t, a)
	for _, c := range mutatingCalls(id) {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			before := a.state()
			code, body := a.call(c.method, c.path, c.body, "Content-Type", strings.ToUpper(c.bodyType)+"; charset=utf-8")
			if code != c.status {
				t.Fatalf("%d %s, want %d", code, body, c.status)
			}
			if c.status < 300 && c.path != "/api/v1/explain" && c.path != "/debug/pprof/symbol" && a.state() == before {
				t.Errorf("the call changed nothing: %s", before)
			}
		})
	}
	for _, c := range []struct{ method, path, ct string }{
		{"PUT", "/api/v1/rules", "application/json"},
		{"PUT", "/api/v1/rules", "application/x-yaml"},
		{"POST", "/api/v1/faults", "application/yaml"},
		{"POST", "/api/v1/cache/import", "application/json"},
		{"POST", "/api/v1/cache/import", "application/x-tar"},
	} {
		code, _ := a.call(c.method, c.path, "[]", "Content-Type", c.ct)
		if want := c.path != "/api/v1/rules"; (code == 415) != want {
			t.Errorf("%s %s with %s: %d", c.method, c.path, c.ct, code)
		}
	}
}

// A page on another origin is refused, for reads too (a rebinding or
// cross-site read is the threat); the listener's own origin, a listed
// one and no Origin at all (curl, ctl, probes) pass.
func TestForeignOriginsAreRefused(t *testing.T) {
	a := newTestAdmin(t, func(s *Server) {
		s.AllowedOrigins = []string{"http://localhost:3000", "https://Grafana.Example.com:443/"}
	})
	id := withFault(t, a)
	before := a.state()
	json := []string{"Content-Type", "application/json"}
	refused := []struct {
		name    string
		headers []string
	}{
		{"another site", []string{"Origin", "http://evil.example"}},
		{"another port of localhost", []string{"Origin", "http://localhost:8000"}},
		{"the listener by another name", []string{"Origin", "http://localhost:9090"}},
		{"a sandboxed frame", []string{"Origin", "null"}},
		{"a listed origin's sibling", []string{"Origin", "http://localhost:30000"}},
		{"a listed origin over the other scheme", []string{"Origin", "https://localhost:3000"}},
		{"cross-site without Origin", []string{"Sec-Fetch-Site", "cross-site"}},
		{"a cross-site frame", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe"}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			for _, call := range append(mutatingCalls(id), mutatingCall{method: "GET", path: "/api/v1/config"}, mutatingCall{method: "GET", path: "/api/v1/requests"}) {
				code, body := a.call(call.method, call.path, call.body, append(c.headers, json...)...)
				wantError(t, code, body, 403, "admin.allowed_origins")
			}
			a.wantUnchanged(t, before)
		})
	}
	allowed := []struct {
		name    string
		headers []string
	}{
		{"no Origin", nil},
		{"its own origin", []string{"Origin", "http://127.0.0.1:9090"}},
		{"a listed origin", []string{"Origin", "http://localhost:3000"}},
		{"a listed origin as written otherwise", []string{"Origin", "https://grafana.example.com", "Sec-Fetch-Site", "cross-site"}},
		{"the same origin", []string{"Sec-Fetch-Site", "same-origin"}},
		{"typed in the address bar", []string{"Sec-Fetch-Site", "none"}},
		{"a link followed from another site", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"}},
	}
	for _, c := range allowed {
		if code, body := a.call("GET", "/api/v1/rules", "", c.headers...); code != 200 {
			t.Errorf("%s: %d %s", c.name, code, body)
		}
	}
	// A form POST from a listed origin still needs its JSON.
	if code, _ := a.call("POST", "/api/v1/reset", "", "Origin", "http://localhost:3000", "Content-Type", "text/plain"); code != 415 {
		t.Errorf("a listed origin's text/plain POST: %d", code)
	}
	a.wantUnchanged(t, before)
	if code, _ := a.call("POST", "/api/v1/rules/boom/disable", "", "Origin", "http://127.0.0.1:9090", "Content-Type", "application/json"); code != 200 {
		t.Errorf("its own origin's toggle: %d", code)
	}
	if !strings.Contains(a.log.String(), `"origin":"http://evil.example"`) {
		t.Errorf("the refusal's log lacks the origin: %s", a.log)
	}
}

// Host must be an IP literal, localhost or a listed name: a
// DNS-rebinding page sends its own name and gets 421, while probes and
// scrapes (Host: the pod's IP) and ctl keep working.
func TestHostsOtherThanIPsAndLocalhostAreMisdirected(t *testing.T) {
	a := newTestAdmin(t, func(s *Server) { s.AllowedHosts = []string{"Sim.Internal."} })
	id := withFault(t, a)
	before := a.state()
	for _, host := range []string{"evil.example", "evil.example:9090", "localhost.evil.example", "sim.internal.evil.example:9090",
		"127.0.0.1.nip.io:9090", "0x7f000001", "2130706433:9090", "127.0.0.1.", "foo.localhost"} {
		t.Run(host, func(t *testing.T) {
			for _, path := range []string{"/api/v1/config", "/healthz", "/readyz"} {
				code, body := a.call("GET", path, "", "Host", host)
				wantError(t, code, body, 421, "admin.allowed_hosts")
			}
			for _, c := range mutatingCalls(id) {
				code, body := a.call(c.method, c.path, c.body, "Host", host, "Content-Type", c.bodyType)
				wantError(t, code, body, 421)
			}
			a.wantUnchanged(t, before)
		})
	}
	for _, host := range []string{"127.0.0.1", "127.0.0.1:9090", "10.244.1.17:9090", "[::1]:9090", "[::1]", "[fd00::17]:9090",
		"localhost", "localhost:9090", "LocalHost.:9090", "sim.internal", "SIM.INTERNAL:9090", "sim.internal.", ""} {
		if code, body := a.call("GET", "/readyz", "", "Host", host); code != 200 {
			t.Errorf("Host %q: %d %s", host, code, body)
		}
	}
	if !strings.Contains(a.log.String(), `"host":"evil.example:9090"`) {
		t.Errorf("the refusal's log lacks the host: %s", a.log)
	}
}

// The bearer scheme is case-insensitive; the token must match exactly,
// and a wrong one is never logged.
func TestBearerToken(t *testing.T) {
	a := newTestAdmin(t, func(s *Server) { s.Token = "s3cret-token" })
	for _, auth := range []string{"Bearer s3cret-token", "bearer s3cret-token", "BEARER s3cret-token", "Bearer   s3cret-token"} {
		if code, body := a.call("GET", "/api/v1/rules", "", "Authorization", auth); code != 200 {
			t.Errorf("%q: %d %s", auth, code, body)
		}
	}
	before := a.state()
	for _, auth := range []string{"", "Bearer", "Bearer ", "Bearer s3cret-token2", "Bearer s3cret-toke", "Basic s3cret-token",
		"Bearers3cret-token", "s3cret-token", "Bearer wrong-guess-1234"} {
		code, body := a.call("GET", "/api/v1/rules", "", "Authorization", auth)
		wantError(t, code, body, 401, "admin token")
		code, body = a.call("POST", "/api/v1/rules/boom/disable", "", "Authorization", auth, "Content-Type", "application/json")
		wantError(t, code, body, 401)
	}
	a.wantUnchanged(t, before)
	if code, _ := a.call("GET", "/healthz", ""); code != 200 {
		t.Errorf("/healthz without the token: %d", code)
	}
	if strings.Contains(a.log.String(), "wrong-guess") || strings.Contains(a.log.String(), "s3cret") {
		t.Errorf("a token reached the log: %s", a.log)
	}
}

// Refusals come in a fixed order: the Host, then the Origin, then the
// token, then the body type.
func TestRefusalOrder(t *testing.T) {
	a := newTestAdmin(t, func(s *Server) { s.Token = "tok" })
	for _, c := range []struct {
		headers []string
		status  int
	}{
		{[]string{"Host", "evil.example", "Origin", "http://evil.example"}, 421},
		{[]string{"Origin", "http://evil.example", "Authorization", "Bearer tok"}, 403},
		{[]string{"Content-Type", "text/plain"}, 401},
		{[]string{"Authorization", "Bearer tok", "Content-Type", "text/plain"}, 415},
		{[]string{"Authorization", "Bearer tok", "Content-Type", "application/json"}, 204},
	} {
		if code, body := a.call("POST", "/api/v1/reset?scope=x", "", c.headers...); code != c.status {
			t.Errorf("%q: %d %s, want %d", c.headers, code, body, c.status)
		}
	}
}

// The refusal log is bounded: a page in a loop cannot fill the disk.
func TestRefusalLogIsBounded(t *testing.T) {
	a := newTestAdmin(t, nil)
	for range 10 * refusalBurst {
		a.call("GET", "/api/v1/rules", "", "Host", "evil.example")
	}
	if n := strings.Count(a.log.String(), "admin request refused"); n != refusalBurst {
		t.Errorf("%d refusal lines for %d refusals; want %d", n, 10*refusalBurst, refusalBurst)
	}
}

var _ Runtime = (*fakeRuntime)(nil)
