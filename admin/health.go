package admin

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
)

// HealthView is the body of /healthz ("ok") and /readyz ("ready", or
// "not ready" with 503).
type HealthView struct {
	Status string `json:"status"`
}

// Health answers the probes. /healthz is 200 while the process runs;
// /readyz is 200 only while it accepts traffic (after start-up, before a
// drain), so an orchestrator stops routing to a draining instance.
type Health struct {
	ready atomic.Bool
}

// SetReady marks the process ready or not.
func (h *Health) SetReady(ok bool) { h.ready.Store(ok) }

// Register adds the probes to mux.
func (h *Health) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeProbe(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !h.ready.Load() {
			writeProbe(w, http.StatusServiceUnavailable, "not ready")
			return
		}
		writeProbe(w, http.StatusOK, "ready")
	})
}

// writeProbe answers a probe on one line, {"status":"ok"}: probes are
// read by machines and by eye in a terminal.
func writeProbe(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(HealthView{Status: status})
}
