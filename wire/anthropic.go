package wire

import "net/http"

// AnthropicDialect is Anthropic's Messages API.
type AnthropicDialect struct{}

var _ Dialect = AnthropicDialect{}

// Name implements Dialect.
func (AnthropicDialect) Name() string { return "anthropic" }

// RequestIDHeader implements Dialect.
func (AnthropicDialect) RequestIDHeader() string { return "request-id" }

// ErrorType implements Dialect with Anthropic's documented mapping.
func (AnthropicDialect) ErrorType(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusPaymentRequired:
		return "billing_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		return "not_found_error"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case http.StatusGatewayTimeout:
		return "timeout_error"
	case 529:
		return "overloaded_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

// ErrorMessage implements Dialect.
func (AnthropicDialect) ErrorMessage(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "invalid x-api-key"
	case http.StatusForbidden:
		return "Your API key does not have permission to use the specified resource."
	case http.StatusNotFound:
		return "Not Found"
	case http.StatusRequestEntityTooLarge:
		return "Request exceeds the maximum allowed number of bytes."
	case http.StatusTooManyRequests:
		return "Number of requests has exceeded your rate limit. Please try again later."
	case http.StatusGatewayTimeout:
		return "Request timed out."
	case 529:
		return "Overloaded"
	}
	if status >= 500 {
		return "Internal server error"
	}
	return http.StatusText(status)
}

// ErrorBody implements Dialect:
// {"type":"error","error":{"type","message"},"request_id"}.
func (d AnthropicDialect) ErrorBody(e *APIError, requestID string) []byte {
	return anthropicErrorBody(e, requestID, d.ErrorType(e.status()))
}

func anthropicErrorBody(e *APIError, requestID, defaultType string) []byte {
	typ, msg := e.Type, e.Message
	if typ == "" {
		typ = defaultType
	}
	if msg == "" {
		msg = AnthropicDialect{}.ErrorMessage(e.status())
	}
	type inner struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	return marshal(struct {
		Type      string  `json:"type"`
		Error     inner   `json:"error"`
		RequestID *string `json:"request_id,omitempty"`
	}{"error", inner{typ, msg}, nullable(requestID)}, false)
}
