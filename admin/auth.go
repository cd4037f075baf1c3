package admin

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// authorize asks for the token, when one is set, on every path but the
// liveness probe, which orchestrators call without credentials.
func (s *Server) authorize(next http.Handler) http.Handler {
	if s.Token == "" {
		return next
	}
	want := []byte("Bearer " + s.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="llm-simulator admin"`)
			msg := "this admin endpoint needs the admin token: send Authorization: Bearer <admin.token>"
			if len(got) > 0 {
				msg = "the admin token does not match admin.token"
			}
			writeError(w, http.StatusUnauthorized, "%s", msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CheckExposure refuses an admin listener off loopback with no token:
// anyone who can reach it could turn every request into an error.
func CheckExposure(listen, token string) error {
	if token != "" || IsLoopback(listen) {
		return nil
	}
	return fmt.Errorf("the admin listener %s is not on loopback, so it needs a token: set admin.token (e.g. \"${LLMSIM_ADMIN_TOKEN}\") or listen on 127.0.0.1", listen)
}

// IsLoopback reports an address whose host is a loopback IP or
// "localhost"; an empty host (all interfaces) is not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
