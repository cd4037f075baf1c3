package proxy

import (
	"net/http"
	"strings"
)

// azureBaseURL reports a base-URL request in Azure OpenAI's form. The
// /openai/ prefix also names the openai provider, so only Azure's own
// signs decide: a deployment path (/openai/deployments/…, which OpenAI
// does not have), or Azure's api-key header or api-version query
// parameter, which Azure's SDKs always send. An /openai/v1/… request with
// neither — the OpenAI SDK pointed at Azure's v1 endpoint with a bearer
// token — cannot be told from OpenAI's and stays OpenAI's; through the
// proxy its host (*.openai.azure.com) decides instead.
func azureBaseURL(r *http.Request, p string) bool {
	rest, ok := strings.CutPrefix(p, "/openai/")
	if !ok {
		return false
	}
	if strings.HasPrefix(rest, "deployments/") || r.Header.Get("Api-Key") != "" {
		return true
	}
	return strings.Contains(r.URL.RawQuery, "api-version=") && r.URL.Query().Has("api-version")
}

// azureTarget is where a base-URL Azure request goes: the azure
// provider, its path whole (Azure's paths start with /openai/).
func azureTarget(p string, ups *Upstreams) target {
	t := target{provider: "azure", dialect: "azure", path: p}
	if t.up = ups.Named("azure"); t.up != nil {
		t.host = t.up.host
	}
	return t
}
