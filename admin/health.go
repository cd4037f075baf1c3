package admin

import (
	"net/http"
	"sync/atomic"
)

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
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !h.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"not ready"}` + "\n"))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
}
