package admin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// APIError is the admin API's refusal: the status, the API's message
// and, when a config, rules or a fault were refused, each problem with
// its position.
type APIError struct {
	Status   int
	Message  string
	Problems []string
}

func (e *APIError) Error() string {
	if len(e.Problems) == 0 {
		return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d)\n  %s", e.Message, e.Status, strings.Join(e.Problems, "\n  "))
}

// refusal is the *APIError an answer that is not 2xx carries: the API's
// {"error": …} body, or the body's text when it is not that.
func refusal(resp *http.Response) error {
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var e ErrorView
	if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
		e.Error.Message = strings.TrimSpace(string(data))
	}
	return &APIError{Status: resp.StatusCode, Message: e.Error.Message, Problems: e.Error.Errors}
}
