package admin

import (
	"net/http"
)

// registerFaults serves the temporary fault overlays: faults added to
// whatever rule takes a matching request, for a while.
func (s *Server) registerFaults(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/faults", func(w http.ResponseWriter, r *http.Request) {
		if s.Overlays == nil {
			off(w, "runtime faults")
			return
		}
		body, ok := readBody(w, r, maxBody)
		if !ok {
			return
		}
		spec, err := s.Overlays.ParseFault(body)
		if err != nil {
			writeRefusal(w, "the fault was refused", err)
			return
		}
		f, err := s.Overlays.AddFault(spec)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "the fault could not be added: %v", err)
			return
		}
		s.Log.Info().Str("id", f.ID).Str("scope", f.Scope).Time("expires", f.Expires).Msg("temporary fault added through the admin API")
		writeJSON(w, http.StatusCreated, f)
	})
	mux.HandleFunc("GET /api/v1/faults", func(w http.ResponseWriter, _ *http.Request) {
		if s.Overlays == nil {
			off(w, "runtime faults")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Overlays.Faults()})
	})
	mux.HandleFunc("DELETE /api/v1/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		if s.Overlays == nil {
			off(w, "runtime faults")
			return
		}
		id := r.PathValue("id")
		if !s.Overlays.RemoveFault(id) {
			writeError(w, http.StatusNotFound, "no temporary fault %q (it may have expired)", id)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
