package admin

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/llm-simulator/llm-simulator/config"
)

func isErrorList(err error) bool {
	var list config.ErrorList
	return errors.As(err, &list)
}

// ExplainRequest is the request to explain: what the app would send.
type ExplainRequest struct {
	Method string `json:"method"`
	// URL is absolute (https://api.openai.com/v1/chat/completions, as
	// through the proxy) or a path (/v1/chat/completions, as by base URL).
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	// Body is the request body: a JSON value, or a string sent as is;
	// none when empty (SetBody fills it from the bytes to send).
	Body json.RawMessage `json:"body,omitempty"`
}

// SetBody makes data the body to explain: a JSON value as it is, any
// other bytes as a JSON string of them.
func (r *ExplainRequest) SetBody(data []byte) {
	if json.Valid(data) {
		r.Body = data
		return
	}
	r.Body, _ = json.Marshal(string(data)) // a string always encodes
}

// UpgradeView answers POST /api/v1/upgrade that went through.
type UpgradeView struct {
	Status string `json:"status"`
}

func (s *Server) registerControl(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/reload", func(w http.ResponseWriter, _ *http.Request) {
		if err := s.Runtime.Reload(); err != nil {
			writeRefusal(w, "the config file was refused; the config in force keeps serving", err)
			return
		}
		writeJSON(w, http.StatusOK, s.rulesView())
	})
	mux.HandleFunc("POST /api/v1/upgrade", func(w http.ResponseWriter, _ *http.Request) {
		switch err := s.Runtime.Upgrade(); {
		case err == nil:
			writeJSON(w, http.StatusOK, UpgradeView{Status: "upgraded: the new process serves; this one drains and exits"})
		case errors.Is(err, ErrUpgradeBusy):
			writeError(w, http.StatusConflict, "%v", err)
		case isErrorList(err):
			writeRefusal(w, "the new process would refuse its config; this one keeps serving", err)
		default:
			writeError(w, http.StatusInternalServerError, "the new process failed: %v; this one keeps serving (its log says more)", err)
		}
	})
	mux.HandleFunc("GET /api/v1/config", func(w http.ResponseWriter, _ *http.Request) {
		v, err := maskedConfig(s.Runtime.Config())
		if err != nil {
			writeError(w, http.StatusInternalServerError, "rendering the config: %v", err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("POST /api/v1/reset", func(w http.ResponseWriter, r *http.Request) {
		scope, one := r.URL.Query()["scope"]
		if one {
			s.Runtime.Reset(scope[0], false)
		} else {
			s.Runtime.Reset("", true)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /api/v1/explain", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r, maxBody)
		if !ok {
			return
		}
		var req ExplainRequest
		if err := json.Unmarshal(body, &req); err != nil || req.URL == "" {
			writeError(w, http.StatusBadRequest, `explain wants {"method":"POST","url":"/v1/chat/completions","headers":{…},"body":{…}}: %v`, errOr(err, "url is missing"))
			return
		}
		v, err := s.Runtime.Explain(&req)
		if err != nil {
			writeError(w, http.StatusBadRequest, "%v", err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

type textError string

func (e textError) Error() string { return string(e) }

func errOr(err error, text string) error {
	if err != nil {
		return err
	}
	return textError(text)
}
