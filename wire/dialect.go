package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// APIError is an error as a provider reports it. The dialect renders it in
// that provider's shape; zero fields take the dialect's defaults for Status.
type APIError struct {
	// Status is the HTTP status. Zero means 500.
	Status int
	// Type is the provider's error type, e.g. "invalid_request_error". Empty
	// means the dialect's type for Status.
	Type string
	// Message is the human-readable text. Empty means the dialect's default
	// for Status.
	Message string
	// Param names the offending request parameter (OpenAI only); empty is
	// rendered as null.
	Param string
	// Code is OpenAI's machine-readable code; empty is rendered as null.
	Code string
	// Header holds extra response headers, such as retry-after.
	Header http.Header
	// RetryAfter, when set, is when the client may retry, for a dialect
	// that says so in the body (Gemini's RetryInfo) rather than in a
	// header. Zero: the body says nothing of it.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status(), e.Type, e.Message)
}

func (e *APIError) status() int {
	if e.Status == 0 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// Dialect is what a provider's API looks like from the outside: its error
// bodies and the header that carries its request id.
type Dialect interface {
	// Name is the provider name used in config and logs: "openai", "anthropic".
	Name() string
	// ErrorType is the provider's error type for an HTTP status.
	ErrorType(status int) string
	// ErrorMessage is the provider's usual message for an HTTP status.
	ErrorMessage(status int) string
	// ErrorBody renders e as the provider's JSON error object.
	ErrorBody(e *APIError, requestID string) []byte
	// RequestIDHeader names the response header carrying the request id;
	// "" when the provider sends none.
	RequestIDHeader() string
}

// WriteError sends e as a complete error response in dialect d.
func WriteError(s Sink, d Dialect, e *APIError, requestID string) error {
	body := d.ErrorBody(e, requestID)
	h := make(http.Header, 3+len(e.Header))
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if name := d.RequestIDHeader(); requestID != "" && name != "" {
		h.Set(name, requestID)
	}
	if err := s.Send(Event{Kind: Head, Status: e.status(), Header: h}); err != nil {
		return err
	}
	if err := s.Send(Event{Kind: Chunk, Data: body}); err != nil {
		return err
	}
	return s.Send(Event{Kind: End})
}

// marshal encodes v without HTML escaping, as the providers do.
func marshal(v any, indent bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		// Only strings and numbers go in, so this cannot happen; an empty
		// object still parses where a panic would drop the connection.
		return []byte("{}")
	}
	if !indent {
		return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	}
	return b.Bytes()
}

// nullable renders "" as JSON null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
