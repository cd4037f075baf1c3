package simulate

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Azure emulates Azure OpenAI by serving its calls with the OpenAI
// emulator. What Azure adds is done around it: the routes
// (/openai/deployments/{deployment}/… with a required api-version, and
// the /openai/v1/… paths), the deployment standing in for the model, the
// gateway's errors, its headers, and the content-filter annotations on
// chat and completions answers (azureSink).
type Azure struct{}

var _ Emulator = Azure{}

var azure = wire.AzureDialect{}

// Dialect implements Emulator.
func (Azure) Dialect() wire.Dialect { return azure }

// Serve implements Emulator.
func (Azure) Serve(ctx context.Context, c *Call, out wire.Sink) error {
	api, deployment, ok := wire.AzurePath(c.Path)
	sink := &azureSink{next: out, c: c, annotate: api == "/v1/chat/completions" || api == "/v1/completions"}
	if _, known := openAIRoute(api); !ok || !known {
		return c.fail(sink, azure, &wire.APIError{Status: http.StatusNotFound, Code: "404"})
	}
	if e := checkAPIVersion(queryValue(c.Query, "api-version"), deployment != "" || !isAzureV1(c.Path)); e != nil {
		return c.fail(sink, azure, e)
	}
	if name := deploymentOf(c, deployment); name != "" && !c.Config.allowed(name) {
		return c.fail(sink, azure, wire.Canned(azure, http.StatusNotFound, wire.AzureDeploymentNotFound))
	}
	// The OpenAI emulator serves a copy of the request that reads as
	// OpenAI's: its API path, and the deployment as the body's model.
	orig := c.Request
	req := *orig
	req.Path = api
	if deployment != "" {
		req.Body = withModel(orig.Body, deployment)
	}
	c.Request = &req
	defer func() { orig.Usage, c.Request = req.Usage, orig }()
	return OpenAI{}.Serve(ctx, c, sink)
}

// isAzureV1 reports a path of Azure's v1 API, which needs no
// api-version.
func isAzureV1(path string) bool {
	return strings.HasPrefix(path, "/openai/v1/")
}

// azureAPIVersion is the form of a dated api-version: 2024-10-21,
// 2025-04-01-preview.
var azureAPIVersion = regexp.MustCompile(`^20[2-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(-preview)?$`)

// checkAPIVersion answers an api-version as Azure does: a deployment
// path without one is a route the gateway does not know (404 "Resource
// not found"); one it does not serve is a 400 BadRequest. The v1 paths
// take none, or "preview" or "latest".
func checkAPIVersion(v string, required bool) *wire.APIError {
	switch {
	case v == "" && required:
		return &wire.APIError{Status: http.StatusNotFound, Code: "404"}
	case v == "" || (!required && (v == "preview" || v == "latest")) || (required && azureAPIVersion.MatchString(v)):
		return nil
	}
	return &wire.APIError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "API version not supported"}
}

// deploymentOf is the deployment a call names: the path's, else (on the
// v1 paths) the body's model, read only when some names are not served.
func deploymentOf(c *Call, inPath string) string {
	if inPath != "" || len(c.Config.AllowedModels) == 0 {
		return inPath
	}
	var b struct {
		Model string `json:"model"`
	}
	_ = json.Unmarshal(c.Body, &b) // a body that does not parse is the emulator's to refuse
	return b.Model
}

// withModel is body with its "model" set to model; a body that is not a
// JSON object is left for the emulator to refuse.
func withModel(body []byte, model string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return body
	}
	name, _ := json.Marshal(model)
	m["model"] = name
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// uuidFrom draws a version-4 UUID, the form of Azure's request ids.
func uuidFrom(src *rand.PCG) string {
	h := idFrom(src, "", hexd, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[h[16]%4]) + h[17:20] + "-" + h[20:32]
}
