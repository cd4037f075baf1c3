package admin

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// Whatever Host, Origin, Content-Type and Authorization a caller sends,
// the guard never panics, every refusal is the API's JSON error, and a
// request that reaches the routes names an IP address, localhost or the
// listed host; comes from no page or an allowed one; carries the token;
// and, if it changes state, says JSON.
func FuzzGuard(f *testing.F) {
	f.Add("POST", "127.0.0.1:9090", "", "application/json", "Bearer tok")
	f.Add("GET", "evil.example", "http://evil.example", "", "bearer tok")
	f.Add("PUT", "[::1]:9090", "http://[::1]:9090", "Application/YAML; charset=utf-8", "BEARER  tok")
	f.Add("DELETE", "LocalHost.", "null", "text/plain", "")
	f.Add("POST", "sim.internal:1", "HTTP://LOCALHOST:3000/", "multipart/form-data; boundary=x", "Basic tok")
	f.Add("GET", "0x7f.1", "http://localhost:80", "application/json,", "Bearer tok\x00")
	f.Fuzz(func(t *testing.T, method, host, origin, contentType, auth string) {
		if !validMethod(method) {
			return
		}
		reached := false
		routes := http.NewServeMux()
		routes.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { reached = true })
		s := &Server{Token: "tok", AllowedHosts: []string{"sim.internal"}, AllowedOrigins: []string{"http://localhost:3000"}, Log: zerolog.Nop()}
		g := newGuard(s, routes)
		r := httptest.NewRequest("GET", "/api/v1/rules", nil)
		r.Method, r.Host = method, host
		for name, v := range map[string]string{"Origin": origin, "Content-Type": contentType, "Authorization": auth} {
			if v != "" {
				r.Header.Set(name, v)
			}
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		if !reached {
			var e ErrorView
			if rec.Code < 400 || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Message == "" {
				t.Fatalf("a refusal that is not the API's error: %d %q", rec.Code, rec.Body)
			}
			return
		}
		name := canonicalHost(hostOnly(host))
		if _, err := netip.ParseAddr(hostOnly(host)); err != nil && name != "" && name != "localhost" && name != "sim.internal" {
			t.Errorf("Host %q reached the routes", host)
		}
		if o := canonicalOrigin(origin); origin != "" && o != "http://localhost:3000" && !strings.HasSuffix(o, "://"+strings.ToLower(host)) {
			t.Errorf("Origin %q reached the routes with Host %q", origin, host)
		}
		if scheme, token, _ := strings.Cut(auth, " "); !strings.EqualFold(scheme, "bearer") || strings.TrimLeft(token, " ") != "tok" {
			t.Errorf("Authorization %q reached the routes", auth)
		}
		if media, _, _ := mime.ParseMediaType(contentType); method != "GET" && method != "HEAD" && method != "OPTIONS" && media != "application/json" {
			t.Errorf("%s with Content-Type %q reached the routes", method, contentType)
		}
	})
}

// validMethod is an HTTP token, as a server would accept it.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, c) {
			return false
		}
	}
	return true
}
