package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Every refusal is an *APIError with the status and the API's message;
// refused configs and faults list each problem.
func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		configure func(s *Server)
		call      func(c *Client) error
		status    int
		says      string
		problems  bool
	}{
		{"no such rule", nil, func(c *Client) error { _, err := c.SetRuleEnabled(ctx, "nope", true); return err },
			404, `no rule named "nope"`, false},
		{"no such fault", nil, func(c *Client) error { return c.RemoveFault(ctx, "f-none") },
			404, `no temporary fault "f-none"`, false},
		{"a refused fault", nil, func(c *Client) error {
			_, err := c.AddFault(ctx, []byte(`{"faults":[{"error":{"status":99}}],"ttl":"1m"}`))
			return err
		}, 400, "the fault was refused: 1 problem(s)", true},
		{"a bad query", nil, func(c *Client) error { _, err := c.Requests(ctx, RequestsQuery{Since: "soon"}); return err },
			400, `?since="soon" is not`, false},
		{"an upgrade under way", func(s *Server) { s.Runtime.(*fakeRuntime).upgradeErr = ErrUpgradeBusy },
			func(c *Client) error { _, err := c.Upgrade(ctx); return err }, 409, "an upgrade cannot start now", false},
		{"not ready", func(s *Server) { s.Health.SetReady(false) }, func(c *Client) error { _, err := c.Ready(ctx); return err },
			503, `{"status":"not ready"}`, false},
		{"no token", func(s *Server) { s.Token = "s3cret" }, func(c *Client) error {
			c.Token = ""
			_, err := c.Rules(ctx)
			return err
		}, 401, "needs the admin token", false},
		{"the wrong token", func(s *Server) { s.Token = "s3cret" }, func(c *Client) error {
			c.Token = "guess"
			_, err := c.Rules(ctx)
			return err
		}, 401, "does not carry the admin token", false},
		{"cassettes off", func(s *Server) { s.Cassettes = nil }, func(c *Client) error { _, err := c.Cache(ctx); return err },
			404, "the cassette cache is not enabled", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newTestClient(t, tc.configure)
			err := tc.call(c)
			var refused *APIError
			if !errors.As(err, &refused) {
				t.Fatalf("got %v, want an *APIError", err)
			}
			if refused.Status != tc.status || !strings.Contains(refused.Message, tc.says) || (len(refused.Problems) > 0) != tc.problems {
				t.Fatalf("got %d %q %q, want %d saying %q", refused.Status, refused.Message, refused.Problems, tc.status, tc.says)
			}
			if !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "(HTTP ") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

// A refusal's problems follow its message, one a line; a body that is
// not the API's error shape is the message as it came.
func TestAPIErrorText(t *testing.T) {
	e := &APIError{Status: 400, Message: "the rules were refused: 2 problem(s); nothing changed", Problems: []string{"a:1:1: x", "a:2:1: y"}}
	if got := e.Error(); got != "the rules were refused: 2 problem(s); nothing changed (HTTP 400)\n  a:1:1: x\n  a:2:1: y" {
		t.Errorf("Error() = %q", got)
	}
	proxyPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad gateway from a proxy in between", http.StatusBadGateway)
	}))
	defer proxyPage.Close()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	c := &Client{Addr: proxyPage.URL + "/", HTTP: &http.Client{Transport: transport}}
	_, err := c.Rules(context.Background())
	var refused *APIError
	if !errors.As(err, &refused) || refused.Status != 502 || refused.Message != "bad gateway from a proxy in between" {
		t.Fatalf("got %v", err)
	}
}

// A listener that is not there is a transport error naming the address,
// not an *APIError.
func TestClientUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close()
	c := &Client{Addr: addr}
	_, err := c.Rules(context.Background())
	var refused *APIError
	if err == nil || errors.As(err, &refused) || !strings.HasPrefix(err.Error(), "the admin API at "+addr+": ") {
		t.Fatalf("got %v", err)
	}
}

// Received sees each JSON answer as the server sent it, before it is
// decoded, and its error is the call's; calls answered without JSON do
// not reach it.
func TestClientReceived(t *testing.T) {
	a, c := newTestClient(t, nil)
	ctx := context.Background()
	var got []string
	c.Received = func(body []byte) error {
		got = append(got, string(body))
		return nil
	}
	if _, err := c.Rules(ctx); err != nil {
		t.Fatal(err)
	}
	if _, want := a.call("GET", "/api/v1/rules", ""); len(got) != 1 || got[0] != want {
		t.Fatalf("Received got %q, the server sends %q", got, want)
	}
	if err := c.Reset(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExportCassettes(ctx, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("Received was called for answers without JSON: %q", got[1:])
	}
	stop := errors.New("the terminal went away")
	c.Received = func([]byte) error { return stop }
	if _, err := c.Faults(ctx); !errors.Is(err, stop) {
		t.Errorf("Received's error was not the call's: %v", err)
	}
}
