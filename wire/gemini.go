package wire

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GeminiDialect is Google's Gemini API (the Generative Language API,
// generativelanguage.googleapis.com). Its errors are google.rpc.Status
// objects: {"error":{"code","message","status","details"}}, where status
// is the canonical gRPC code name for the HTTP status.
type GeminiDialect struct{}

var _ Dialect = GeminiDialect{}

// Name implements Dialect.
func (GeminiDialect) Name() string { return "gemini" }

// RequestIDHeader implements Dialect: none. Google sends no request id
// header; a generateContent answer names itself by its body's responseId.
func (GeminiDialect) RequestIDHeader() string { return "" }

// ErrorType implements Dialect: the canonical status name Google pairs
// with an HTTP status (google.rpc.Code's HTTP mapping).
func (GeminiDialect) ErrorType(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "ABORTED"
	case http.StatusPreconditionFailed:
		return "FAILED_PRECONDITION"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case 499:
		return "CANCELLED"
	case http.StatusNotImplemented:
		return "UNIMPLEMENTED"
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	if status >= 500 {
		return "INTERNAL"
	}
	return "FAILED_PRECONDITION"
}

// ErrorMessage implements Dialect with the messages the API sends.
func (GeminiDialect) ErrorMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Request contains an invalid argument."
	case http.StatusUnauthorized:
		return "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."
	case http.StatusForbidden:
		return "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
	case http.StatusNotFound:
		return "Requested entity was not found."
	case http.StatusRequestEntityTooLarge:
		return "Request payload size exceeds the limit."
	case http.StatusTooManyRequests:
		return "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
	case http.StatusServiceUnavailable:
		return "The model is overloaded. Please try again later."
	case http.StatusGatewayTimeout:
		return "Deadline expired before operation could complete."
	}
	if status >= 500 {
		return "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
	}
	return http.StatusText(status)
}

// geminiStatus is a google.rpc.Status as the JSON API renders it.
type geminiStatus struct {
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Status  string         `json:"status"`
	Details []geminiDetail `json:"details,omitempty"`
}

// geminiDetail is one google.protobuf.Any of a status's details; each
// type uses its own fields.
type geminiDetail struct {
	Type       string       `json:"@type"`
	Reason     string       `json:"reason,omitempty"`
	Domain     string       `json:"domain,omitempty"`
	Metadata   any          `json:"metadata,omitempty"`
	Links      []geminiLink `json:"links,omitempty"`
	RetryDelay string       `json:"retryDelay,omitempty"`
}

type geminiLink struct {
	Description string `json:"description"`
	URL         string `json:"url"`
}

const rpcTypes = "type.googleapis.com/google.rpc."

func (d GeminiDialect) status(e *APIError) geminiStatus {
	s := geminiStatus{Code: e.status(), Message: e.Message, Status: e.Type}
	if s.Message == "" {
		s.Message = d.ErrorMessage(s.Code)
	}
	if s.Status == "" {
		s.Status = d.ErrorType(s.Code)
	}
	switch {
	case e.Code != "":
		// A machine-readable reason, as Google's ErrorInfo carries it
		// (API_KEY_INVALID, RATE_LIMIT_EXCEEDED, …).
		s.Details = append(s.Details, geminiDetail{Type: rpcTypes + "ErrorInfo", Reason: e.Code,
			Domain: "googleapis.com", Metadata: map[string]string{"service": "generativelanguage.googleapis.com"}})
	case s.Code == http.StatusTooManyRequests:
		s.Details = append(s.Details, geminiDetail{Type: rpcTypes + "Help", Links: []geminiLink{{
			Description: "Learn more about Gemini API quotas", URL: "https://ai.google.dev/gemini-api/docs/rate-limits"}}})
	}
	if e.RetryAfter > 0 {
		s.Details = append(s.Details, geminiDetail{Type: rpcTypes + "RetryInfo", RetryDelay: retryDelay(e.RetryAfter)})
	}
	return s
}

// retryDelay is a RetryInfo delay in the JSON form of a protobuf
// Duration, as Google writes it: decimal seconds, up to nine fractional
// digits, and an "s" ("33s", "45.837906927s").
func retryDelay(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// ErrorBody implements Dialect: {"error":{"code","message","status",
// "details"}}, indented as the API sends it.
func (d GeminiDialect) ErrorBody(e *APIError, _ string) []byte {
	return marshal(struct {
		Error geminiStatus `json:"error"`
	}{d.status(e)}, true)
}

// geminiErrorEvent is an error arriving mid-stream: a data event holding
// the same error object, on one line.
func geminiErrorEvent(e *APIError) []byte {
	return marshal(struct {
		Error geminiStatus `json:"error"`
	}{GeminiDialect{}.status(e)}, false)
}

// GeminiMethod splits a Gemini API path, /v1beta/models/{model}:{method}
// (or /v1/…), into its model and method. ok is false for any other path,
// the model list (/v1beta/models) and a model's own resource among them.
func GeminiMethod(path string) (model, method string, ok bool) {
	rest, found := strings.CutPrefix(path, "/v1beta/models/")
	if !found {
		if rest, found = strings.CutPrefix(path, "/v1/models/"); !found {
			return "", "", false
		}
	}
	model, method, ok = strings.Cut(rest, ":")
	if !ok || model == "" || method == "" || strings.Contains(model, "/") {
		return "", "", false
	}
	return model, method, true
}

// GeminiModel is the model a Gemini API path names: the {model} of
// models/{model}:method and of a models/{model} resource; "" for others.
func GeminiModel(path string) string {
	if model, _, ok := GeminiMethod(path); ok {
		return model
	}
	for _, prefix := range []string{"/v1beta/models/", "/v1/models/"} {
		if m, ok := strings.CutPrefix(path, prefix); ok && m != "" && !strings.ContainsAny(m, "/:") {
			return m
		}
	}
	return ""
}

// GeminiOpenAIPrefix is where Google serves its OpenAI-compatible API
// (/v1beta/openai/chat/completions, …): OpenAI's shapes on Gemini's host.
const GeminiOpenAIPrefix = "/v1beta/openai/"

// IsGeminiPath reports a path only the Gemini API has: anything under
// /v1beta/ but its OpenAI-compatible API, and /v1/models/{model}:method
// for the API's methods (an OpenAI fine-tuned model's id,
// ft:gpt-4o-mini:org::id, has colons too).
func IsGeminiPath(path string) bool {
	if strings.HasPrefix(path, "/v1beta/") {
		return !strings.HasPrefix(path, GeminiOpenAIPrefix)
	}
	_, method, ok := GeminiMethod(path)
	if !ok {
		return false
	}
	switch method {
	case "generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents":
		return true
	}
	return false
}
