package admin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client calls the admin API of a running process: one method per
// endpoint (client_calls.go), each answering with the view the server
// encodes, so that the API's JSON is defined once, in this package.
// `llm-simulator ctl` is built on it; a Go test harness can drive a
// sidecar with it the same way.
type Client struct {
	// Addr is the admin listener: host:port, or a base URL such as
	// http://127.0.0.1:9090. Required.
	Addr string
	// Token, when set, is sent as "Authorization: Bearer TOKEN"
	// (ReadTokenFile reads it as admin.token_file holds it).
	Token string
	// HTTP sends the calls; nil means a client that gives up after five
	// minutes, time enough for an upgrade's new process to start serving.
	HTTP *http.Client
	// Received, when not nil, is given the body of each JSON answer to a
	// call that succeeded, as the server sent it, before it is decoded;
	// its error is the call's. ctl --json prints the API's own JSON so.
	// Calls answered without a JSON body (RemoveFault, Reset,
	// ClearRequests, ExportCassettes, Metrics) do not call it.
	Received func(body []byte) error
}

// defaultTimeout bounds a call when Client.HTTP is nil.
const defaultTimeout = 5 * time.Minute

// call is one request to the API.
type call struct {
	method, path string
	body         io.Reader
	// contentType is the body's; a state-changing call sends
	// application/json when it is empty, body or not, for the API
	// refuses such a call without a JSON type (a browser form could
	// send it).
	contentType string
}

// jsonCall is a call whose body, when not nil, is JSON.
func jsonCall(method, path string, body []byte) call {
	c := call{method: method, path: path}
	if body != nil {
		c.body = bytes.NewReader(body)
	}
	return c
}

// send makes the call and copies the body of a 2xx answer to w; any
// other answer is an *APIError carrying the server's message.
func (c *Client) send(ctx context.Context, k call, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, k.method, c.url(k.path), k.body)
	if err != nil {
		return 0, err
	}
	ct := k.contentType
	if ct == "" && k.method != http.MethodGet && k.method != http.MethodHead {
		ct = "application/json"
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("the admin API at %s: %w", c.Addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return 0, refusal(resp)
	}
	return io.Copy(w, resp.Body)
}

// fetch makes the call and returns the body of its 2xx answer.
func (c *Client) fetch(ctx context.Context, k call) ([]byte, error) {
	var b bytes.Buffer
	if _, err := c.send(ctx, k, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (c *Client) url(path string) string {
	base := c.Addr
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	return strings.TrimSuffix(base, "/") + path
}
