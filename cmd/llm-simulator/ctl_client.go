package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ctlClient calls the admin API.
type ctlClient struct {
	addr, token string
	json        bool
	out         io.Writer
	http        *http.Client
}

// ctlError is the server's refusal, as its body says it.
type ctlError struct {
	status   int
	message  string
	problems []string
}

func (e *ctlError) Error() string {
	if len(e.problems) == 0 {
		return fmt.Sprintf("%s (HTTP %d)", e.message, e.status)
	}
	return fmt.Sprintf("%s (HTTP %d)\n  %s", e.message, e.status, strings.Join(e.problems, "\n  "))
}

func (c *ctlClient) url(path string) string {
	base := c.addr
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	return strings.TrimSuffix(base, "/") + path
}

// do calls the API and returns the body of a 2xx answer; anything else is
// a ctlError carrying the server's message.
func (c *ctlClient) do(method, path string, body io.Reader, contentType string) ([]byte, error) {
	req, err := http.NewRequest(method, c.url(path), body)
	if err != nil {
		return nil, err
	}
	if contentType == "" && method != http.MethodGet && method != http.MethodHead {
		// The API refuses a state-changing call without a JSON type (a
		// browser form could send it), body or not.
		contentType = "application/json"
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	client := c.http
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the admin API at %s: %w", c.addr, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return data, nil
	}
	var e struct {
		Error struct {
			Message string   `json:"message"`
			Errors  []string `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
		e.Error.Message = strings.TrimSpace(string(data))
	}
	return nil, &ctlError{status: resp.StatusCode, message: e.Error.Message, problems: e.Error.Errors}
}

// get calls the API and decodes its JSON into v; with --json it prints
// the body as it came instead and reports printed.
func (c *ctlClient) get(method, path string, body []byte, v any) (printed bool, err error) {
	var r io.Reader
	ct := ""
	if body != nil {
		r, ct = bytes.NewReader(body), "application/json"
		if !json.Valid(body) {
			ct = "application/yaml" // rules put FILE.yaml
		}
	}
	data, err := c.do(method, path, r, ct)
	if err != nil {
		return false, err
	}
	if c.json {
		_, err := c.out.Write(data)
		return true, err
	}
	if v == nil || len(data) == 0 {
		return false, nil
	}
	return false, json.Unmarshal(data, v)
}
