package admin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/proxy"
)

// The calls, one per endpoint, by resource as server.go registers them.

// Health is GET /healthz: 200 while the process runs.
func (c *Client) Health(ctx context.Context) (*HealthView, error) {
	return answer[HealthView](ctx, c, call{method: http.MethodGet, path: "/healthz"})
}

// Ready is GET /readyz: 200 while the process takes traffic; before it
// is ready and while it drains the error is an *APIError with status 503.
func (c *Client) Ready(ctx context.Context) (*HealthView, error) {
	return answer[HealthView](ctx, c, call{method: http.MethodGet, path: "/readyz"})
}

// Metrics is GET /metrics: the Prometheus text.
func (c *Client) Metrics(ctx context.Context) ([]byte, error) {
	return c.fetch(ctx, call{method: http.MethodGet, path: "/metrics"})
}

// Rules is GET /api/v1/rules: the rules in force with their counters.
func (c *Client) Rules(ctx context.Context) (*RulesView, error) {
	return answer[RulesView](ctx, c, call{method: http.MethodGet, path: "/api/v1/rules"})
}

// PutRules is PUT /api/v1/rules: replaces the base rules with body's, in
// JSON or YAML (a list, or {rules: [...]}). A refusal lists each problem.
func (c *Client) PutRules(ctx context.Context, body []byte) (*RulesView, error) {
	k := jsonCall(http.MethodPut, "/api/v1/rules", body)
	if !json.Valid(body) {
		k.contentType = "application/yaml"
	}
	return answer[RulesView](ctx, c, k)
}

// SetRuleEnabled is POST /api/v1/rules/NAME/enable (or disable): turns a
// rule on or off at runtime, over what the config says.
func (c *Client) SetRuleEnabled(ctx context.Context, name string, enabled bool) (*RuleView, error) {
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	return answer[RuleView](ctx, c, jsonCall(http.MethodPost, "/api/v1/rules/"+url.PathEscape(name)+"/"+verb, nil))
}

// Faults is GET /api/v1/faults: the temporary faults in force.
func (c *Client) Faults(ctx context.Context) ([]FaultView, error) {
	v, err := answer[FaultsView](ctx, c, call{method: http.MethodGet, path: "/api/v1/faults"})
	if err != nil {
		return nil, err
	}
	return v.Faults, nil
}

// AddFault is POST /api/v1/faults: adds the temporary fault spec
// describes in JSON, {"match": {…}, "faults": [{…}], "ttl": "5m",
// "scope": "…"} (see rules.Overlays.ParseFault).
func (c *Client) AddFault(ctx context.Context, spec []byte) (*FaultView, error) {
	return answer[FaultView](ctx, c, jsonCall(http.MethodPost, "/api/v1/faults", spec))
}

// RemoveFault is DELETE /api/v1/faults/ID.
func (c *Client) RemoveFault(ctx context.Context, id string) error {
	_, err := c.fetch(ctx, jsonCall(http.MethodDelete, "/api/v1/faults/"+url.PathEscape(id), nil))
	return err
}

// RequestsQuery filters the journal; the zero value asks for every
// request it holds.
type RequestsQuery struct {
	// Scope, when not nil, keeps one scope's requests; "" keeps those
	// that named none.
	Scope *string
	// Rule keeps the requests one rule took.
	Rule string
	// Since keeps the requests after an RFC 3339 time, or this long ago
	// ("30s") by the server's clock.
	Since string
	// Limit keeps the last Limit; 0 keeps all.
	Limit int
}

// Requests is GET /api/v1/requests: the journal, oldest first by when
// each request finished.
func (c *Client) Requests(ctx context.Context, q RequestsQuery) ([]telemetry.Record, error) {
	params := url.Values{}
	if q.Scope != nil {
		params.Set("scope", *q.Scope)
	}
	if q.Rule != "" {
		params.Set("rule", q.Rule)
	}
	if q.Since != "" {
		params.Set("since", q.Since)
	}
	if q.Limit > 0 {
		params.Set("limit", strconv.Itoa(q.Limit))
	}
	v, err := answer[RequestsView](ctx, c, call{method: http.MethodGet, path: withQuery("/api/v1/requests", params)})
	if err != nil {
		return nil, err
	}
	return v.Requests, nil
}

// ClearRequests is DELETE /api/v1/requests: forgets one scope's requests
// ("" those that named none), or with nil every one.
func (c *Client) ClearRequests(ctx context.Context, scope *string) error {
	_, err := c.fetch(ctx, jsonCall(http.MethodDelete, scopePath("/api/v1/requests", scope), nil))
	return err
}

// Cache is GET /api/v1/cache: the cassette counters and recent misses.
func (c *Client) Cache(ctx context.Context) (*CacheView, error) {
	return answer[CacheView](ctx, c, call{method: http.MethodGet, path: "/api/v1/cache"})
}

// PurgeCache is DELETE /api/v1/cache: empties the body cache, and with
// recordings deletes the recording files too.
func (c *Client) PurgeCache(ctx context.Context, recordings bool) (*PurgeView, error) {
	path := "/api/v1/cache"
	if recordings {
		path += "?recordings=true"
	}
	return answer[PurgeView](ctx, c, jsonCall(http.MethodDelete, path, nil))
}

// ExportCassettes is GET /api/v1/cache/export: writes every recording to
// w as one .tar.gz and returns its size.
func (c *Client) ExportCassettes(ctx context.Context, w io.Writer) (int64, error) {
	return c.send(ctx, call{method: http.MethodGet, path: "/api/v1/cache/export"}, w)
}

// ImportCassettes is POST /api/v1/cache/import: unpacks a .tar.gz of
// recordings, as ExportCassettes writes it.
func (c *Client) ImportCassettes(ctx context.Context, archive io.Reader) (*ImportView, error) {
	k := call{method: http.MethodPost, path: "/api/v1/cache/import", body: archive, contentType: "application/gzip"}
	return answer[ImportView](ctx, c, k)
}

// Reload is POST /api/v1/reload: re-reads the config file. A refusal
// lists each problem, and the config in force keeps serving.
func (c *Client) Reload(ctx context.Context) (*RulesView, error) {
	return answer[RulesView](ctx, c, jsonCall(http.MethodPost, "/api/v1/reload", nil))
}

// Upgrade is POST /api/v1/upgrade: hands over to a new process on the
// same listeners and returns once it serves; 409 while one is under way.
func (c *Client) Upgrade(ctx context.Context) (*UpgradeView, error) {
	return answer[UpgradeView](ctx, c, jsonCall(http.MethodPost, "/api/v1/upgrade", nil))
}

// Config is GET /api/v1/config: the config in force as the file's own
// keys, secrets masked, in JSON as the server wrote it.
func (c *Client) Config(ctx context.Context) (json.RawMessage, error) {
	return c.fetchJSON(ctx, call{method: http.MethodGet, path: "/api/v1/config"})
}

// Reset is POST /api/v1/reset: forgets one scope's state, or with nil
// every scope's and the runtime toggles too.
func (c *Client) Reset(ctx context.Context, scope *string) error {
	_, err := c.fetch(ctx, jsonCall(http.MethodPost, scopePath("/api/v1/reset", scope), nil))
	return err
}

// Explain is POST /api/v1/explain: which rule would take r and why the
// others would not, which faults may fire, and what would replay.
func (c *Client) Explain(ctx context.Context, r *ExplainRequest) (*proxy.Explanation, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return answer[proxy.Explanation](ctx, c, jsonCall(http.MethodPost, "/api/v1/explain", body))
}

// fetchJSON makes a call answered with JSON and hands the answer to
// Received.
func (c *Client) fetchJSON(ctx context.Context, k call) ([]byte, error) {
	data, err := c.fetch(ctx, k)
	if err != nil {
		return nil, err
	}
	if c.Received != nil {
		if err := c.Received(data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// answer makes a call answered with JSON (fetchJSON) and decodes the
// answer; an empty one is the zero view.
func answer[View any](ctx context.Context, c *Client, k call) (*View, error) {
	data, err := c.fetchJSON(ctx, k)
	if err != nil {
		return nil, err
	}
	var v View
	if len(data) > 0 {
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, err
		}
	}
	return &v, nil
}

// scopePath is path for one scope (?scope=S), or for all with nil.
func scopePath(path string, scope *string) string {
	if scope == nil {
		return path
	}
	return path + "?scope=" + url.QueryEscape(*scope)
}

func withQuery(path string, params url.Values) string {
	if len(params) == 0 {
		return path
	}
	return path + "?" + params.Encode()
}
