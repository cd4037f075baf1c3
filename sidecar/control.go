package sidecar

import (
	"encoding/json"
	"net/http"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy"
)

// The runtime is the admin API's: what the API asks of the process.
var _ admin.Runtime = (*runtime)(nil)

// Reload implements admin.Runtime.
func (r *runtime) Reload() error { return r.reload("admin API") }

// PutRules implements admin.Runtime: the config in force with its rules
// replaced; the next reload from the file replaces them again.
func (r *runtime) PutRules(body []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg, err := r.loaded.WithRules(body, ConfigOptions())
	if err != nil {
		return err
	}
	if err := r.apply(cfg, "api"); err != nil {
		return err
	}
	r.loaded = cfg
	return nil
}

// Config implements admin.Runtime.
func (r *runtime) Config() *config.Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loaded
}

// Reset implements admin.Runtime: one scope's state in every store, or
// all of it and the runtime changes too.
func (r *runtime) Reset(scope string, all bool) {
	if all {
		r.store.ResetAll()
		r.front.Cassettes.ResetAll()
		r.journal.ClearAll()
	} else {
		r.store.ResetScope(scope)
		r.front.Cassettes.ResetScope(scope)
		r.journal.ClearScope(scope)
	}
	r.overlays.Reset(scope, all)
	r.log.Info().Str("scope", scope).Bool("all", all).Msg("state reset through the admin API")
}

// Upgrade implements admin.Runtime.
func (r *runtime) Upgrade() error { return r.upgrade("admin API") }

// Explain implements admin.Runtime.
func (r *runtime) Explain(req *admin.ExplainRequest) (*proxy.Explanation, error) {
	h := http.Header{}
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	return r.front.Explain(method, req.URL, h, explainBody(req.Body))
}

// explainBody is the body to explain: a JSON string is sent as its text,
// any other JSON value as it is.
func explainBody(raw []byte) []byte {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return []byte(s)
		}
	}
	return raw
}
