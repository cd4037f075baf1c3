package simulate

import (
	"context"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Models (GET /v1beta/models, GET /v1beta/models/{model}) and token
// counting (POST models/{model}:countTokens).

type geminiModel struct {
	Name                       string   `json:"name"`
	Version                    string   `json:"version"`
	DisplayName                string   `json:"displayName"`
	Description                string   `json:"description,omitempty"`
	InputTokenLimit            int      `json:"inputTokenLimit"`
	OutputTokenLimit           int      `json:"outputTokenLimit"`
	SupportedGenerationMethods []string `json:"supportedGenerationMethods"`
	Temperature                *float64 `json:"temperature,omitempty"`
	TopP                       *float64 `json:"topP,omitempty"`
	TopK                       *int     `json:"topK,omitempty"`
	MaxTemperature             *float64 `json:"maxTemperature,omitempty"`
	Thinking                   bool     `json:"thinking,omitempty"`
}

// knownGeminiModels are listed when the config names none.
var knownGeminiModels = []string{
	"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
	"gemini-2.0-flash", "gemini-2.0-flash-lite", "gemini-embedding-001", "text-embedding-004",
}

func isGeminiModel(name string) bool { ok, _ := path.Match("gemini*", name); return ok }

func isGeminiEmbedding(id string) bool { return strings.Contains(id, "embedding") }

// geminiModelInfo describes a model by its name: an embedding model
// embeds, any other generates (and thinks, from 2.5 on).
func geminiModelInfo(id string) geminiModel {
	m := geminiModel{Name: "models/" + id, Version: "001", DisplayName: id, Description: id + " (simulated)"}
	if v := strings.TrimPrefix(id, "gemini-"); v != id {
		if i := strings.IndexByte(v, '-'); i > 0 {
			m.Version = v[:i]
		}
	}
	if isGeminiEmbedding(id) {
		m.InputTokenLimit, m.OutputTokenLimit = 2048, 1
		m.SupportedGenerationMethods = []string{"embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"}
		return m
	}
	temp, topP, topK, maxTemp := 1.0, 0.95, 64, 2.0
	m.InputTokenLimit, m.OutputTokenLimit = 1048576, 65536
	m.SupportedGenerationMethods = []string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}
	m.Temperature, m.TopP, m.TopK, m.MaxTemperature = &temp, &topP, &topK, &maxTemp
	m.Thinking = strings.HasPrefix(id, "gemini-2.5") || strings.HasPrefix(id, "gemini-3")
	return m
}

const (
	defaultGeminiPageSize = 50
	maxGeminiPageSize     = 1000
)

func serveGeminiModels(_ context.Context, c *Call, out wire.Sink, _ string) error {
	var names []string
	if len(c.Config.AllowedModels) == 0 {
		names = append(names, knownGeminiModels...)
	}
	for _, n := range c.Config.listedModels(isGeminiModel) {
		if !oneOf(n, names) {
			names = append(names, n)
		}
	}
	q, err := url.ParseQuery(c.Query)
	if err != nil {
		return c.fail(out, gemini, geminiInvalid("Invalid query string."))
	}
	size, start := defaultGeminiPageSize, 0
	if v := q.Get("pageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 0 {
			return c.fail(out, gemini, geminiInvalid("Invalid value at 'page_size' (TYPE_INT32), %q", v))
		}
		size = min(max(size, 1), maxGeminiPageSize)
	}
	if v := q.Get("pageToken"); v != "" {
		if start, err = strconv.Atoi(v); err != nil || start < 0 || start > len(names) {
			return c.fail(out, gemini, geminiViolation("ListModelsRequest", "page_token", "Invalid page token."))
		}
	}
	end := min(len(names), start+size)
	list := struct {
		Models        []geminiModel `json:"models"`
		NextPageToken string        `json:"nextPageToken,omitempty"`
	}{Models: []geminiModel{}}
	for _, n := range names[start:end] {
		list.Models = append(list.Models, geminiModelInfo(n))
	}
	if end < len(names) {
		list.NextPageToken = strconv.Itoa(end)
	}
	return sendGeminiJSON(c, out, &list)
}

func serveGeminiModel(_ context.Context, c *Call, out wire.Sink, id string) error {
	if !c.Config.allowed(id) {
		return c.fail(out, gemini, &wire.APIError{Status: 404, Message: "Model is not found: models/" + id + " for api version " + geminiAPIVersion(c.Path)})
	}
	m := geminiModelInfo(id)
	return sendGeminiJSON(c, out, &m)
}

func geminiAPIVersion(p string) string {
	v, _, _ := geminiVersion(p)
	return v
}

// countTokensRequest is countTokens' body: contents alone, or a whole
// generateContentRequest (which then counts its tools and system
// instruction too).
type countTokensRequest struct {
	Contents               *[]geminiContent `json:"contents"`
	GenerateContentRequest *geminiRequest   `json:"generateContentRequest"`
}

func serveGeminiCountTokens(_ context.Context, c *Call, out wire.Sink, model string) error {
	var req countTokensRequest
	if e := decodeGemini(c.Body, &req); e != nil {
		return c.fail(out, gemini, e)
	}
	gr := req.GenerateContentRequest
	switch {
	case gr != nil && req.Contents != nil:
		return c.fail(out, gemini, geminiInvalid("contents and generate_content_request cannot both be set."))
	case gr == nil:
		gr = &geminiRequest{Contents: req.Contents}
	}
	if e := gr.validate(); e != nil {
		e.Message = strings.Replace(e.Message, "GenerateContentRequest.", "CountTokensRequest.", 1)
		return c.fail(out, gemini, e)
	}
	n := gr.prompt(model, c.Path).data.PromptTokens
	resp := struct {
		TotalTokens         int                   `json:"totalTokens"`
		PromptTokensDetails []geminiModalityCount `json:"promptTokensDetails"`
	}{n, textTokens(n)}
	c.Request.Usage = Usage{PromptTokens: n}
	return sendGeminiJSON(c, out, &resp)
}
