package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/llm-simulator/llm-simulator/rules"
)

// FaultView is a temporary fault as the API shows it: rules.TempFault,
// whose JSON carries Left as ttl_left ("1.5s"); a client reads that back
// into Left.
type FaultView struct{ rules.TempFault }

// FaultsView is GET /api/v1/faults: the temporary faults in force.
type FaultsView struct {
	Faults []FaultView `json:"faults"`
}

// tempFaultFields is rules.TempFault without its JSON method, so that
// decoding fills its fields and ttl_left is read here.
type tempFaultFields rules.TempFault

// UnmarshalJSON reads a fault as MarshalJSON wrote it, ttl_left included.
func (v *FaultView) UnmarshalJSON(data []byte) error {
	var f struct {
		tempFaultFields
		TTLLeft string `json:"ttl_left"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	v.TempFault = rules.TempFault(f.tempFaultFields)
	if f.TTLLeft == "" {
		return nil
	}
	left, err := time.ParseDuration(f.TTLLeft)
	if err != nil {
		return fmt.Errorf("ttl_left: %w", err)
	}
	v.Left = left
	return nil
}

func faultViews(list []rules.TempFault) []FaultView {
	views := make([]FaultView, len(list))
	for i, f := range list {
		views[i] = FaultView{f}
	}
	return views
}

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
		writeJSON(w, http.StatusCreated, FaultView{f})
	})
	mux.HandleFunc("GET /api/v1/faults", func(w http.ResponseWriter, _ *http.Request) {
		if s.Overlays == nil {
			off(w, "runtime faults")
			return
		}
		writeJSON(w, http.StatusOK, FaultsView{Faults: faultViews(s.Overlays.Faults())})
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
