package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/llm-simulator/llm-simulator/config"
)

// maxBody bounds what an admin call may send, cassette imports aside.
const maxBody = 4 << 20

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// ErrorView is the admin API's error body: {"error":{"message":…}},
// with every problem listed when a config or a fault was refused.
type ErrorView struct {
	Error struct {
		Message string   `json:"message"`
		Errors  []string `json:"errors,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	var e ErrorView
	e.Error.Message = fmt.Sprintf(format, args...)
	writeJSON(w, status, e)
}

// writeRefusal answers a refused config, rules or fault: 400 with each
// positioned problem, or 500 for anything that is not the caller's.
func writeRefusal(w http.ResponseWriter, what string, err error) {
	var list config.ErrorList
	if !errors.As(err, &list) {
		writeError(w, http.StatusInternalServerError, "%s: %v", what, err)
		return
	}
	var e ErrorView
	e.Error.Message = fmt.Sprintf("%s: %d problem(s); nothing changed", what, len(list))
	for _, p := range list {
		e.Error.Errors = append(e.Error.Errors, p.Error())
	}
	writeJSON(w, http.StatusBadRequest, e)
}

// readBody reads a request body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", limit)
		} else {
			writeError(w, http.StatusBadRequest, "reading the body: %v", err)
		}
		return nil, false
	}
	return data, true
}

// off answers an endpoint whose subsystem this process runs without.
func off(w http.ResponseWriter, what string) {
	writeError(w, http.StatusNotFound, "%s is not enabled in this process", what)
}
