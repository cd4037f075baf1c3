package wire

import "net/http"

// Canned returns the error a provider sends for status, in its own words:
// what an error fault answers with when the config names only a status.
// code picks among the errors that share a status, such as OpenAI's two
// 429s (rate_limit_exceeded, insufficient_quota); empty means the usual
// one.
func Canned(d Dialect, status int, code string) *APIError {
	if d.Name() == "azure" {
		return azureCanned(status, code)
	}
	if d.Name() != "openai" {
		return &APIError{Status: status, Code: code}
	}
	switch {
	case status == http.StatusTooManyRequests && code == "insufficient_quota":
		return &APIError{Status: status, Type: "insufficient_quota", Code: code,
			Message: "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."}
	case status == http.StatusTooManyRequests:
		return &APIError{Status: status, Type: "requests", Code: "rate_limit_exceeded",
			Message: "Rate limit reached for requests per min (RPM). Please try again later. Visit https://platform.openai.com/account/rate-limits to learn more."}
	case status == http.StatusBadRequest && (code == "" || code == "context_length_exceeded"):
		return &APIError{Status: status, Type: "invalid_request_error", Param: "messages", Code: "context_length_exceeded",
			Message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages."}
	case status == http.StatusUnauthorized:
		return &APIError{Status: status, Type: "invalid_request_error", Code: "invalid_api_key",
			Message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."}
	}
	return &APIError{Status: status, Code: code}
}
