package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
)

// RequestsView is GET /api/v1/requests: the journal's records, oldest
// first by when they finished.
type RequestsView struct {
	Requests []telemetry.Record `json:"requests"`
}

// registerJournal serves the request journal: what the app sent and what
// it got, so a test can assert how its client retried.
func (s *Server) registerJournal(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/requests", func(w http.ResponseWriter, r *http.Request) {
		if s.Journal == nil {
			off(w, "the request journal")
			return
		}
		q, err := journalQuery(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, "%v", err)
			return
		}
		recs := s.Journal.Query(q)
		if recs == nil {
			recs = []telemetry.Record{}
		}
		writeJSON(w, http.StatusOK, RequestsView{Requests: recs})
	})
	mux.HandleFunc("DELETE /api/v1/requests", func(w http.ResponseWriter, r *http.Request) {
		if s.Journal == nil {
			off(w, "the request journal")
			return
		}
		if scope, ok := r.URL.Query()["scope"]; ok {
			s.Journal.ClearScope(scope[0])
		} else {
			s.Journal.ClearAll()
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// journalQuery reads ?scope=&rule=&since=&limit=. since is an RFC 3339
// time or a duration back from now ("30s"); a scope given empty asks for
// the requests that named none.
func journalQuery(r *http.Request) (telemetry.Query, error) {
	v := r.URL.Query()
	q := telemetry.Query{Rule: v.Get("rule"), AnyScope: true}
	if scope, ok := v["scope"]; ok {
		q.Scope, q.AnyScope = scope[0], false
	}
	if since := v.Get("since"); since != "" {
		t, err := parseSince(since)
		if err != nil {
			return q, err
		}
		q.Since = t
	}
	if limit := v.Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 0 {
			return q, errBadParam("limit", limit, "a count")
		}
		q.Limit = n
	}
	return q, nil
}

func parseSince(s string) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, errBadParam("since", s, `an RFC 3339 time or a duration such as "30s"`)
}

type paramError struct{ name, value, want string }

func (e *paramError) Error() string {
	return "?" + e.name + "=" + strconv.Quote(e.value) + " is not " + e.want
}

func errBadParam(name, value, want string) error { return &paramError{name, value, want} }
