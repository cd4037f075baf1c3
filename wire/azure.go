package wire

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
)

// AzureDialect is Azure OpenAI: OpenAI's models behind Azure's gateway.
// Two kinds of error reach a client. The gateway's own — a key it refuses,
// a deployment or route it does not know, a rate limit — are
// {"error":{"code","message"}} with the status as the code ("429") or a
// name ("DeploymentNotFound"). The model service's — bad input, a server
// error — pass through in OpenAI's shape, and a content-filter refusal
// adds Azure's "status" and "innererror" to it.
type AzureDialect struct{}

var _ Dialect = AzureDialect{}

// Name implements Dialect.
func (AzureDialect) Name() string { return "azure" }

// RequestIDHeader implements Dialect: Azure's API gateway (APIM) names
// every response with a UUID in apim-request-id.
func (AzureDialect) RequestIDHeader() string { return "apim-request-id" }

// ErrorType implements Dialect: the types of the errors that pass through
// from the model service are OpenAI's.
func (AzureDialect) ErrorType(status int) string { return OpenAIDialect{}.ErrorType(status) }

// ErrorMessage implements Dialect.
func (AzureDialect) ErrorMessage(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."
	case http.StatusNotFound:
		return "Resource not found"
	case http.StatusTooManyRequests:
		return AzureRateLimitMessage(1)
	case http.StatusInternalServerError:
		return "The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists."
	}
	return OpenAIDialect{}.ErrorMessage(status)
}

// The codes of Azure's own errors that the simulator sends.
const (
	AzureDeploymentNotFound = "DeploymentNotFound"
	AzureContentFilter      = "content_filter"
)

// azureGateway reports whether an error with status, and no OpenAI type
// or parameter, comes from Azure's gateway rather than the model service.
func azureGateway(e *APIError) bool {
	if e.Type != "" || e.Param != "" || e.Code == AzureContentFilter {
		return false
	}
	switch e.status() {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusRequestTimeout,
		http.StatusTooManyRequests:
		return true
	}
	return e.Code == "BadRequest" // an api-version the service does not know
}

// ErrorBody implements Dialect.
func (d AzureDialect) ErrorBody(e *APIError, requestID string) []byte {
	status := e.status()
	if azureGateway(e) {
		type gatewayError struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		return marshal(struct {
			Error gatewayError `json:"error"`
		}{gatewayError{cmp.Or(e.Code, strconv.Itoa(status)), cmp.Or(e.Message, d.ErrorMessage(status))}}, false)
	}
	if e.Code == AzureContentFilter {
		return azureContentFilterBody(e)
	}
	cp := *e
	if cp.Message == "" {
		cp.Message = d.ErrorMessage(status)
		if status == http.StatusInternalServerError && requestID != "" {
			cp.Message += " (Please include the request ID " + requestID + " in your message.)"
		}
	}
	return openAIErrorBody(&cp, true)
}

// AzureFilterCategories are the harm categories Azure's content filter
// rates every prompt and completion on, in the order it sends them.
var AzureFilterCategories = []string{"hate", "self_harm", "sexual", "violence"}

type (
	azureSeverity struct {
		Filtered bool   `json:"filtered"`
		Severity string `json:"severity"`
	}
	azureDetection struct {
		Filtered bool `json:"filtered"`
		Detected bool `json:"detected"`
	}
)

// AzureFilterResults are a content filter's results as Azure writes
// them: every category rated safe but tripped, filtered at severity
// medium ("" trips none); a prompt's also say whether it was a
// jailbreak (tripped "jailbreak"). Encoded, a map's members are sorted,
// as Azure's are.
func AzureFilterResults(prompt bool, tripped string) map[string]any {
	r := make(map[string]any, len(AzureFilterCategories)+1)
	for _, c := range AzureFilterCategories {
		r[c] = azureSeverity{false, "safe"}
		if c == tripped {
			r[c] = azureSeverity{true, "medium"}
		}
	}
	if prompt {
		r["jailbreak"] = azureDetection{tripped == "jailbreak", tripped == "jailbreak"}
	}
	return r
}

// azureContentFilterBody is the 400 Azure answers a prompt its content
// filter refused with: OpenAI's error object with a null type, the
// status, and innererror naming the category that tripped (violence
// unless e.Type names another).
func azureContentFilterBody(e *APIError) []byte {
	type inner struct {
		Code                string         `json:"code"`
		ContentFilterResult map[string]any `json:"content_filter_result"`
	}
	type body struct {
		Message    string  `json:"message"`
		Type       *string `json:"type"`
		Param      string  `json:"param"`
		Code       string  `json:"code"`
		Status     int     `json:"status"`
		InnerError inner   `json:"innererror"`
	}
	msg := cmp.Or(e.Message, "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "+
		"Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: "+
		"https://go.microsoft.com/fwlink/?linkid=2198766")
	return marshal(struct {
		Error body `json:"error"`
	}{body{msg, nil, cmp.Or(e.Param, "prompt"), AzureContentFilter, e.status(),
		inner{"ResponsibleAIPolicyViolation", AzureFilterResults(true, cmp.Or(e.Type, "violence"))}}}, true)
}

// azureCanned is Azure's usual error for a status; see Canned. code picks
// among those sharing a status: at 400 "content_filter" (the default) or
// any of OpenAI's; at 404 "DeploymentNotFound" (the default) or "404",
// the gateway's answer to a path or api-version it does not serve.
func azureCanned(status int, code string) *APIError {
	switch {
	case status == http.StatusBadRequest && (code == "" || code == AzureContentFilter):
		return &APIError{Status: status, Code: AzureContentFilter}
	case status == http.StatusNotFound && (code == "" || code == AzureDeploymentNotFound):
		return &APIError{Status: status, Code: AzureDeploymentNotFound,
			Message: "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}
	case status == http.StatusTooManyRequests && code == "":
		return &APIError{Status: status, Code: "429"}
	case status == http.StatusBadRequest || status >= 500:
		ae := Canned(OpenAIDialect{}, status, code)
		if ae.Type == "" && status >= 500 {
			ae.Type = "server_error"
		}
		return ae
	}
	return &APIError{Status: status, Code: code}
}

// AzureRateLimitMessage is the message of Azure's 429 when a client
// should retry after seconds.
func AzureRateLimitMessage(seconds int) string {
	return "Rate limit is exceeded. Try again in " + strconv.Itoa(seconds) + " seconds."
}

// AzureOverloaded is Azure's answer when a deployment has no capacity
// left: a 429 (not a 503) that says so.
func AzureOverloaded() *APIError {
	return &APIError{Status: http.StatusTooManyRequests, Code: "429",
		Message: "The system is currently experiencing high demand and cannot process your request. " +
			"Your request exceeds the maximum usage size allowed during peak load. Please retry after 1 seconds. " +
			"For improved latency reliability, consider switching to Provisioned Throughput."}
}

// AzurePath reads an Azure OpenAI path: the OpenAI API path it serves,
// and the deployment it names, if any. Deployment paths
// (/openai/deployments/{deployment}/chat/completions) name the model in
// the path; the v1 paths (/openai/v1/chat/completions) and the other
// routes under /openai/ (/openai/responses, /openai/models) name it in
// the body as OpenAI's do. ok is false for a path outside /openai/, or a
// deployment path with no operation.
func AzurePath(path string) (api, deployment string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/openai/")
	if !ok {
		return "", "", false
	}
	if d, ok := strings.CutPrefix(rest, "deployments/"); ok {
		name, op, found := strings.Cut(d, "/")
		if !found || name == "" || op == "" {
			return "", "", false
		}
		return "/v1/" + op, name, true
	}
	if v1, ok := strings.CutPrefix(rest, "v1/"); ok {
		rest = v1
	}
	return "/v1/" + rest, "", rest != ""
}
