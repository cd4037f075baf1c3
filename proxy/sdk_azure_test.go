package proxy

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// azureAPIVersion is the api-version the tests' clients send: a GA one.
const azureAPIVersion = "2024-10-21"

// azureYAML takes deployments named chat-* with a rule of their own, so a
// test sees the deployment in the path matched as the model.
const azureYAML = `version: 1
rules:
  - name: azure-chat
    match: {provider: azure, model: "chat-*"}
    action: simulate
  - name: rest
    action: simulate
`

// azureClient is the OpenAI SDK configured for Azure, by base URL: the
// endpoint is the proxy's (plain HTTP on loopback, which the azure
// package allows only when told), the key in api-key.
func azureClient(s *stack, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		azure.WithEndpoint(s.srv.URL, azureAPIVersion), azure.WithAPIKey("azure-secret-key"),
		azure.WithUnsafeAllowHTTP(), option.WithMaxRetries(0)}, opts...)...)
}

// azureProxyClient is the same SDK aimed at a real-looking resource
// through the proxy as HTTPS_PROXY: the host is intercepted by default.
func azureProxyClient(s *stack, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		azure.WithEndpoint("https://myres.openai.azure.com", azureAPIVersion), azure.WithAPIKey("azure-secret-key"),
		option.WithHTTPClient(s.proxyClient()), option.WithMaxRetries(0)}, opts...)...)
}

func TestAzureSDKByBaseURL(t *testing.T) {
	s := newStack(t, azureYAML, nil)
	azureSDKCalls(t, azureClient(s))
}

func TestAzureSDKThroughHTTPSProxy(t *testing.T) {
	s := newStack(t, azureYAML, nil)
	azureSDKCalls(t, azureProxyClient(s))
	if n := s.leaves.Minted(); n != 1 {
		t.Errorf("minted %d leaves for myres.openai.azure.com", n)
	}
}

// azureSDKCalls drives chat (whole and streamed), embeddings and legacy
// completions through c and checks what Azure's answers carry.
func azureSDKCalls(t *testing.T, c openai.Client) {
	t.Helper()
	ctx := context.Background()
	var raw *http.Response
	chat, err := c.Chat.Completions.New(ctx, chatParams("chat-prod"), option.WithResponseInto(&raw))
	if err != nil {
		t.Fatal(err)
	}
	if rule := raw.Header.Get("X-Llmsim-Rule"); rule != "azure-chat" {
		t.Errorf("the deployment chat-prod was not matched as the model: rule %q", rule)
	}
	if id := raw.Header.Get("Apim-Request-Id"); len(id) != 36 || raw.Header.Get("X-Ms-Region") == "" {
		t.Errorf("Azure's headers: %v", raw.Header)
	}
	if chat.Model != "chat-prod" || chat.Object != "chat.completion" || len(chat.Choices) != 1 {
		t.Fatalf("chat: %+v", chat)
	}
	sdkPresent(t, "chat.completion", map[string]sdkField{"id": chat.JSON.ID, "created": chat.JSON.Created,
		"model": chat.JSON.Model, "usage": chat.JSON.Usage,
		"choices[0].message.content": chat.Choices[0].Message.JSON.Content, "choices[0].finish_reason": chat.Choices[0].JSON.FinishReason})
	if !azureExtra(chat.JSON.ExtraFields["prompt_filter_results"]) || !azureExtra(chat.Choices[0].JSON.ExtraFields["content_filter_results"]) {
		t.Errorf("chat without Azure's filter results: %s", chat.RawJSON())
	}

	stream := c.Chat.Completions.NewStreaming(ctx, chatParams("chat-prod"))
	var acc openai.ChatCompletionAccumulator
	chunks, filtered := 0, 0
	for stream.Next() {
		ch := stream.Current()
		if chunks == 0 && (len(ch.Choices) != 0 || !azureExtra(ch.JSON.ExtraFields["prompt_filter_results"])) {
			t.Errorf("the first chunk is not the prompt filter's: %s", ch.RawJSON())
		}
		for _, choice := range ch.Choices {
			if azureExtra(choice.JSON.ExtraFields["content_filter_results"]) {
				filtered++
			}
		}
		acc.AddChunk(ch)
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != chat.Choices[0].Message.Content || acc.Choices[0].FinishReason == "" {
		t.Errorf("the stream told another answer: %+v, want %q", acc.Choices, chat.Choices[0].Message.Content)
	}
	if filtered != chunks-1 {
		t.Errorf("%d of %d chunks with choices carry content_filter_results", filtered, chunks-1)
	}

	emb, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "embed-small",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")}})
	if err != nil || len(emb.Data) != 1 || len(emb.Data[0].Embedding) == 0 || emb.Model != "embed-small" {
		t.Fatalf("embeddings: %v %+v", err, emb.Model)
	}
	cmpl, err := c.Completions.New(ctx, openai.CompletionNewParams{Model: "instruct",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Say hi")}, MaxTokens: openai.Int(8)})
	if err != nil || len(cmpl.Choices) != 1 || cmpl.Choices[0].Text == "" || cmpl.Model != "instruct" {
		t.Fatalf("completions: %v %+v", err, cmpl)
	}
	if !azureExtra(cmpl.Choices[0].JSON.ExtraFields["content_filter_results"]) || !azureExtra(cmpl.JSON.ExtraFields["prompt_filter_results"]) {
		t.Errorf("completions without Azure's filter results: %s", cmpl.RawJSON())
	}
}

// azureExtra reports a field the SDK does not know (Azure's additions)
// present and not null: the SDK keeps such fields raw, never "valid".
func azureExtra(f sdkField) bool { return f.Raw() != "" && f.Raw() != "null" }

// A 429 in Azure's shape, with its retry-after-ms, is retried by the SDK
// as the real one is; without retries the client sees Azure's body.
func TestAzureSDKRetries429(t *testing.T) {
	s := newStack(t, `version: 1
rules:
  - name: throttled
    match: {provider: azure}
    action: simulate
    faults:
      - error: {status: 429, retry_after: 20ms, times: 2}
`, nil)
	var attempts atomic.Int32
	count := option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		attempts.Add(1)
		return next(r)
	})
	c := azureClient(s, count, option.WithMaxRetries(3))
	chat, err := c.Chat.Completions.New(context.Background(), chatParams("chat-prod"))
	if err != nil {
		t.Fatal(err)
	}
	if n := attempts.Load(); n != 3 || chat.Choices[0].Message.Content == "" {
		t.Fatalf("%d attempts, want 3 (two 429s, then the answer)", n)
	}

	s = newStack(t, `version: 1
rules:
  - name: throttled
    action: simulate
    faults:
      - error: {status: 429, retry_after: 2s}
`, nil)
	var raw *http.Response
	c = azureClient(s)
	_, err = c.Chat.Completions.New(context.Background(), chatParams("chat-prod"), option.WithResponseInto(&raw))
	apiErr := asOpenAIError(t, err)
	if apiErr.StatusCode != 429 || apiErr.Code != "429" || !strings.HasPrefix(apiErr.Message, "Rate limit is exceeded.") {
		t.Fatalf("429: %d %q %q", apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	if raw.Header.Get("Retry-After") != "2" || raw.Header.Get("Retry-After-Ms") != "2000" || raw.Header.Get("Apim-Request-Id") == "" {
		t.Errorf("429 headers: %v", raw.Header)
	}
}

// Azure's own refusals reach the SDK in Azure's shape: a deployment the
// simulator does not serve, and a prompt its content filter stopped.
func TestAzureSDKErrors(t *testing.T) {
	s := newStack(t, `version: 1
simulate: {allowed_models: ["chat-*"]}
rules:
  - name: filtered
    match: {model: "chat-filtered"}
    action: simulate
    faults:
      - error: {status: 400}
  - name: unsafe
    match: {model: "chat-unsafe"}
    respond: {text: "I cannot", finish_reason: content_filter}
  - name: rest
    action: simulate
`, nil)
	c := azureClient(s)
	unsafe, err := c.Chat.Completions.New(context.Background(), chatParams("chat-unsafe"))
	if err != nil {
		t.Fatal(err)
	}
	if ch := unsafe.Choices[0]; ch.FinishReason != "content_filter" ||
		!strings.Contains(ch.JSON.ExtraFields["content_filter_results"].Raw(), `"filtered":true`) {
		t.Errorf("a choice the filter stopped: %s", unsafe.RawJSON())
	}
	v1 := openai.NewClient(option.WithBaseURL(s.srv.URL+"/openai/v1/"), option.WithHeader("Api-Key", "k"), option.WithMaxRetries(0))
	for _, client := range []openai.Client{c, v1} {
		_, err = client.Chat.Completions.New(context.Background(), chatParams("gpt-4o"))
		if e := asOpenAIError(t, err); e.StatusCode != 404 || e.Code != "DeploymentNotFound" {
			t.Errorf("unknown deployment: %d %q %s", e.StatusCode, e.Code, e.RawJSON())
		}
	}
	_, err = c.Chat.Completions.New(context.Background(), chatParams("chat-filtered"))
	e := asOpenAIError(t, err)
	if e.StatusCode != 400 || e.Code != "content_filter" || e.Param != "prompt" ||
		!strings.Contains(e.RawJSON(), `"innererror"`) || !strings.Contains(e.RawJSON(), `"ResponsibleAIPolicyViolation"`) {
		t.Errorf("content filter: %d %q %s", e.StatusCode, e.Code, e.RawJSON())
	}
	if !strings.Contains(e.RawJSON(), `"type": null`) {
		t.Errorf("Azure's content-filter error has a null type: %s", e.RawJSON())
	}
}

// An intercepted Azure call that a forward rule takes goes to the azure
// provider's configured upstream with its path, api-version and api-key
// as the client sent them, and the answer comes back unchanged.
func TestAzureForwardThroughHTTPSProxy(t *testing.T) {
	seen := make(chan *http.Request, 1)
	up := openAIUpstream(t, seen)
	s := newStack(t, `version: 1
providers:
  azure: {upstream: "{{up}}", ca_file: "{{ca}}"}
rules:
  - name: fwd
    match: {provider: azure, model: "fwd-*"}
    action: forward
`, map[string]string{"up": up.URL, "ca": up.caFile(t)})
	c := azureProxyClient(s)
	chat, err := c.Chat.Completions.New(context.Background(), chatParams("fwd-east"))
	if err != nil || chat.ID != "chatcmpl-upstream" {
		t.Fatalf("forwarded: %v %+v", err, chat)
	}
	r := <-seen
	if r.URL.Path != "/openai/deployments/fwd-east/chat/completions" || r.URL.Query().Get("api-version") != azureAPIVersion ||
		r.Header.Get("Api-Key") != "azure-secret-key" {
		t.Fatalf("the upstream got %s %s api-key %q", r.Method, r.URL, r.Header.Get("Api-Key"))
	}
}

// Azure's v1 API takes the plain OpenAI SDK at {endpoint}/openai/v1/:
// with an api-key header by base URL (the sign that tells it from the
// openai provider's /openai/ prefix), with a bearer token through the
// proxy (the host tells). The Responses API is served there too, and at
// /openai/responses, where the azure package sends it.
func TestAzureV1AndResponses(t *testing.T) {
	s := newStack(t, azureYAML, nil)
	byBase := openai.NewClient(option.WithBaseURL(s.srv.URL+"/openai/v1/"), option.WithAPIKey("unused"),
		option.WithHeader("Api-Key", "azure-secret-key"), option.WithMaxRetries(0))
	proxied := openai.NewClient(option.WithBaseURL("https://myres.openai.azure.com/openai/v1/"), option.WithAPIKey("azure-secret-key"),
		option.WithHTTPClient(s.proxyClient()), option.WithMaxRetries(0))
	for name, c := range map[string]openai.Client{"by base URL": byBase, "through the proxy": proxied} {
		var raw *http.Response
		chat, err := c.Chat.Completions.New(context.Background(), chatParams("chat-v1"), option.WithResponseInto(&raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if raw.Header.Get("Apim-Request-Id") == "" || raw.Header.Get("X-Llmsim-Rule") != "azure-chat" || chat.Model != "chat-v1" ||
			!azureExtra(chat.JSON.ExtraFields["prompt_filter_results"]) {
			t.Errorf("%s: not answered as Azure: %v %s", name, raw.Header, chat.RawJSON())
		}
		resp, err := c.Responses.New(context.Background(), responses.ResponseNewParams{Model: "chat-v1",
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hi")}})
		if err != nil || resp.Status != "completed" || resp.OutputText() == "" {
			t.Errorf("%s: responses: %v %+v", name, err, resp)
		}
	}
	c := azureClient(s)
	resp, err := c.Responses.New(context.Background(), responses.ResponseNewParams{Model: "chat-prod",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hi")}})
	if err != nil || resp.Status != "completed" || resp.Model != "chat-prod" {
		t.Errorf("responses through the azure package: %v %+v", err, resp)
	}
}
