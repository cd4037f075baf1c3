package wire

import "net/http"

// OpenAIDialect is OpenAI's API (and every OpenAI-compatible host).
type OpenAIDialect struct{}

var _ Dialect = OpenAIDialect{}

// Name implements Dialect.
func (OpenAIDialect) Name() string { return "openai" }

// RequestIDHeader implements Dialect.
func (OpenAIDialect) RequestIDHeader() string { return "x-request-id" }

// ErrorType implements Dialect. OpenAI reports most client errors as
// invalid_request_error and rate limits by what ran out.
func (OpenAIDialect) ErrorType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "requests"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// ErrorMessage implements Dialect.
func (OpenAIDialect) ErrorMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Bad request."
	case http.StatusUnauthorized:
		return "Incorrect API key provided."
	case http.StatusForbidden:
		return "You are not allowed to perform this request."
	case http.StatusNotFound:
		return "The requested resource was not found."
	case http.StatusConflict:
		return "The request conflicts with another request."
	case http.StatusTooManyRequests:
		return "Rate limit reached for requests. Please try again later."
	case http.StatusServiceUnavailable:
		return "The server is overloaded or not ready yet."
	case http.StatusBadGateway:
		return "Bad gateway."
	case http.StatusGatewayTimeout:
		return "Request timed out."
	}
	if status >= 500 {
		return "The server had an error while processing your request. Sorry about that!"
	}
	return http.StatusText(status)
}

type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func (d OpenAIDialect) fill(e *APIError) openAIError {
	o := openAIError{Message: e.Message, Type: e.Type, Param: nullable(e.Param), Code: nullable(e.Code)}
	if o.Message == "" {
		o.Message = d.ErrorMessage(e.status())
	}
	if o.Type == "" {
		o.Type = d.ErrorType(e.status())
	}
	if o.Code == nil && e.status() == http.StatusTooManyRequests {
		o.Code = nullable("rate_limit_exceeded")
	}
	return o
}

// ErrorBody implements Dialect: {"error":{"message","type","param","code"}},
// indented as the API sends it.
func (d OpenAIDialect) ErrorBody(e *APIError, _ string) []byte {
	return openAIErrorBody(e, true)
}

func openAIErrorBody(e *APIError, indent bool) []byte {
	return marshal(struct {
		Error openAIError `json:"error"`
	}{OpenAIDialect{}.fill(e)}, indent)
}

// openAIResponsesErrorEvent is the Responses API's in-stream error event.
func openAIResponsesErrorEvent(e *APIError, seq int) []byte {
	o := OpenAIDialect{}.fill(e)
	return marshal(struct {
		Type           string  `json:"type"`
		Code           *string `json:"code"`
		Message        string  `json:"message"`
		Param          *string `json:"param"`
		SequenceNumber int     `json:"sequence_number"`
	}{"error", o.Code, o.Message, o.Param, seq}, false)
}
