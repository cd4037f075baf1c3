package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"google.golang.org/genai"
)

// Tests that drive Google's Go SDK (google.golang.org/genai, Gemini API
// backend) against a live Front.

const geminiTestModel = "gemini-2.5-flash"

// geminiSDK is a genai client for the Gemini API at baseURL over hc.
// retry nil means a single attempt, the SDK's default.
func geminiSDK(t *testing.T, baseURL string, hc *http.Client, retry *genai.HTTPRetryOptions) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(t.Context(), &genai.ClientConfig{Backend: genai.BackendGeminiAPI, APIKey: "AIza-test-key",
		HTTPClient: hc, HTTPOptions: genai.HTTPOptions{BaseURL: baseURL, RetryOptions: retry}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func geminiWeatherTools() *genai.GenerateContentConfig {
	return &genai.GenerateContentConfig{
		Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{{
			Name: "get_weather", Description: "The weather in a city",
			Parameters: &genai.Schema{Type: genai.TypeObject, Required: []string{"city"},
				Properties: map[string]*genai.Schema{"city": {Type: genai.TypeString}}},
		}}}},
		ToolConfig: &genai.ToolConfig{FunctionCallingConfig: &genai.FunctionCallingConfig{Mode: genai.FunctionCallingConfigModeAny}},
	}
}

// The SDK generates, streams, calls functions, counts tokens, embeds and
// lists models against the simulator by base URL; a streamed call gives
// the words of its unstreamed twin.
func TestGeminiSDKByBaseURL(t *testing.T) {
	srv := sdkServer(t, nil)
	gc := geminiSDK(t, srv.URL, srv.Client(), nil)
	ctx := t.Context()
	prompt := genai.Text("Say hi")

	resp, err := gc.Models.GenerateContent(ctx, geminiTestModel, prompt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() == "" || len(resp.Candidates) != 1 || resp.Candidates[0].FinishReason != genai.FinishReasonStop {
		t.Fatalf("answer %+v", resp)
	}
	u := resp.UsageMetadata
	if u == nil || u.PromptTokenCount == 0 || u.CandidatesTokenCount == 0 || u.TotalTokenCount != u.PromptTokenCount+u.CandidatesTokenCount {
		t.Errorf("usage %+v", u)
	}
	if resp.ModelVersion != geminiTestModel || resp.ResponseID == "" || resp.Candidates[0].Content.Role != "model" {
		t.Errorf("modelVersion %q, responseId %q, role %q", resp.ModelVersion, resp.ResponseID, resp.Candidates[0].Content.Role)
	}

	var streamed strings.Builder
	var last *genai.GenerateContentResponse
	chunks := 0
	for chunk, err := range gc.Models.GenerateContentStream(ctx, geminiTestModel, prompt, nil) {
		if err != nil {
			t.Fatal(err)
		}
		streamed.WriteString(chunk.Text())
		last, chunks = chunk, chunks+1
	}
	if streamed.String() != resp.Text() || chunks < 2 {
		t.Errorf("stream of %d chunks said %q, not %q", chunks, streamed.String(), resp.Text())
	}
	if last.Candidates[0].FinishReason != genai.FinishReasonStop || last.UsageMetadata.CandidatesTokenCount != u.CandidatesTokenCount {
		t.Errorf("last chunk %+v usage %+v", last.Candidates[0], last.UsageMetadata)
	}

	count, err := gc.Models.CountTokens(ctx, geminiTestModel, prompt, nil)
	if err != nil || count.TotalTokens != u.PromptTokenCount {
		t.Errorf("countTokens %+v, %v; generateContent billed %d", count, err, u.PromptTokenCount)
	}

	call, err := gc.Models.GenerateContent(ctx, geminiTestModel, genai.Text("Weather in Paris?"), geminiWeatherTools())
	if err != nil {
		t.Fatal(err)
	}
	fcs := call.FunctionCalls()
	if len(fcs) != 1 || fcs[0].Name != "get_weather" {
		t.Fatalf("function calls %+v", fcs)
	}
	if city, ok := fcs[0].Args["city"].(string); !ok || city == "" {
		t.Errorf("args %v lack the required city", fcs[0].Args)
	}
}

func TestGeminiSDKEmbedAndModels(t *testing.T) {
	srv := sdkServer(t, nil)
	gc := geminiSDK(t, srv.URL, srv.Client(), nil)
	ctx := t.Context()
	dims := int32(8)
	contents := []*genai.Content{genai.NewContentFromText("hello world", genai.RoleUser), genai.NewContentFromText("bye", genai.RoleUser)}
	emb, err := gc.Models.EmbedContent(ctx, "gemini-embedding-001", contents, &genai.EmbedContentConfig{OutputDimensionality: &dims})
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Embeddings) != 2 || len(emb.Embeddings[0].Values) != 8 || slices.Equal(emb.Embeddings[0].Values, emb.Embeddings[1].Values) {
		t.Fatalf("embeddings %+v", emb.Embeddings)
	}
	again, err := gc.Models.EmbedContent(ctx, "gemini-embedding-001", contents[:1], &genai.EmbedContentConfig{OutputDimensionality: &dims})
	if err != nil || !slices.Equal(again.Embeddings[0].Values, emb.Embeddings[0].Values) {
		t.Errorf("the same text embeds differently: %v %v", err, again)
	}

	var names []string
	for m, err := range gc.Models.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m.Name)
	}
	if !slices.Contains(names, "models/"+geminiTestModel) || !slices.Contains(names, "models/gemini-embedding-001") {
		t.Errorf("models %v", names)
	}
	var paged []string
	page, err := gc.Models.List(ctx, &genai.ListModelsConfig{PageSize: 3})
	for ; err == nil; page, err = page.Next(ctx) {
		for _, m := range page.Items {
			paged = append(paged, m.Name)
		}
	}
	if !errors.Is(err, genai.ErrPageDone) || !slices.Equal(paged, names) {
		t.Errorf("three at a time: %v (%v), all at once: %v", paged, err, names)
	}
	m, err := gc.Models.Get(ctx, "gemini-2.0-flash", nil)
	if err != nil || m.Name != "models/gemini-2.0-flash" || !slices.Contains(m.SupportedActions, "generateContent") || m.InputTokenLimit == 0 {
		t.Errorf("model %+v, %v", m, err)
	}
}

// The SDK decodes a missing field as its zero value: the raw bodies must
// carry every field a GenerateContentResponse always has.
func TestGeminiRequiredFields(t *testing.T) {
	_, raw := geminiPost(t, sdkServer(t, nil), geminiTestModel)
	var got struct {
		Candidates []struct {
			Content *struct {
				Parts []map[string]any `json:"parts"`
				Role  *string          `json:"role"`
			} `json:"content"`
			FinishReason *string `json:"finishReason"`
		} `json:"candidates"`
		UsageMetadata *struct {
			PromptTokenCount     *int `json:"promptTokenCount"`
			CandidatesTokenCount *int `json:"candidatesTokenCount"`
			TotalTokenCount      *int `json:"totalTokenCount"`
		} `json:"usageMetadata"`
		ModelVersion *string `json:"modelVersion"`
		ResponseID   *string `json:"responseId"`
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	switch c := got.Candidates; {
	case len(c) != 1 || c[0].Content == nil || c[0].Content.Role == nil || len(c[0].Content.Parts) == 0:
		t.Errorf("candidate content incomplete: %s", raw)
	case c[0].FinishReason == nil || c[0].Content.Parts[0]["text"] == nil:
		t.Errorf("finishReason or text missing: %s", raw)
	case got.UsageMetadata == nil || got.UsageMetadata.PromptTokenCount == nil || got.UsageMetadata.CandidatesTokenCount == nil ||
		got.UsageMetadata.TotalTokenCount == nil:
		t.Errorf("usageMetadata incomplete: %s", raw)
	case got.ModelVersion == nil || got.ResponseID == nil:
		t.Errorf("modelVersion or responseId missing: %s", raw)
	}
}

// The same calls through the proxy as HTTPS_PROXY: the SDK aimed at the
// real host, intercepted by default, answered by a simulate rule.
func TestGeminiSDKThroughHTTPSProxy(t *testing.T) {
	s := newStack(t, "version: 1\nrules:\n  - name: gem\n    match: {provider: gemini, model: \"gemini-*\"}\n    action: simulate\n", nil)
	gc := geminiSDK(t, "", s.proxyClient(), nil)
	ctx := context.Background()
	resp, err := gc.Models.GenerateContent(ctx, geminiTestModel, genai.Text("Say hi"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() == "" || resp.SDKHTTPResponse.Headers.Get("X-Llmsim-Rule") != "gem" {
		t.Fatalf("through the proxy: %q, rule %q", resp.Text(), resp.SDKHTTPResponse.Headers.Get("X-Llmsim-Rule"))
	}
	var text strings.Builder
	for chunk, err := range gc.Models.GenerateContentStream(ctx, geminiTestModel, genai.Text("Say hi"), nil) {
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk.Text())
	}
	if text.String() != resp.Text() {
		t.Errorf("streamed %q, not %q", text.String(), resp.Text())
	}
	call, err := gc.Models.GenerateContent(ctx, geminiTestModel, genai.Text("Weather?"), geminiWeatherTools())
	if err != nil || len(call.FunctionCalls()) != 1 {
		t.Fatalf("function call through the proxy: %v %+v", err, call)
	}

	// Google's OpenAI-compatible API on the same host is OpenAI's.
	oc := openai.NewClient(option.WithHTTPClient(s.proxyClient()), option.WithAPIKey("AIza-test-key"),
		option.WithBaseURL("https://generativelanguage.googleapis.com/v1beta/openai/"), option.WithMaxRetries(0))
	chat, err := oc.Chat.Completions.New(ctx, chatParams(geminiTestModel))
	if err != nil || chat.Object != "chat.completion" || chat.Model != geminiTestModel || chat.Choices[0].Message.Content == "" {
		t.Fatalf("OpenAI-compatible Gemini through the proxy: %v %+v", err, chat)
	}
	if n := s.leaves.Minted(); n != 1 {
		t.Errorf("minted %d leaves for generativelanguage.googleapis.com", n)
	}
}

// geminiPost sends a one-part generateContent to model on srv, as a client
// without the SDK would, and returns the response and its body.
func geminiPost(t *testing.T, srv *httptest.Server, model string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/v1beta/models/"+model+":generateContent", "application/json",
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"Say hi"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
