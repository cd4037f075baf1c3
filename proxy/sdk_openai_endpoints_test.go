package proxy

// Legacy completions, embeddings and models through the official OpenAI
// Go SDK.

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
)

// sdkLegacy is a legacy completions request.
func sdkLegacy(prompt string) openai.CompletionNewParams {
	return openai.CompletionNewParams{Model: "gpt-3.5-turbo-instruct",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String(prompt)}}
}

var sdkLegacyCases = []struct {
	name   string
	edit   func(*simulate.Config)
	params func() openai.CompletionNewParams
	finish string
}{
	{"text", nil, func() openai.CompletionNewParams { return sdkLegacy("Once upon a time") }, "stop"},
	{"n=3", nil, func() openai.CompletionNewParams {
		p := sdkLegacy("Three ways")
		p.N = openai.Int(3)
		return p
	}, "stop"},
	{"max_tokens", nil, func() openai.CompletionNewParams {
		p := sdkLegacy("Be brief")
		p.MaxTokens = openai.Int(3)
		return p
	}, "length"},
	{"stop", sdkFixedText("alpha beta gamma delta"), func() openai.CompletionNewParams {
		p := sdkLegacy("Count")
		p.Stop = openai.CompletionNewParamsStopUnion{OfString: openai.String(" gamma")}
		return p
	}, "stop"},
	{"logprobs", nil, func() openai.CompletionNewParams {
		p := sdkLegacy("How sure")
		p.Logprobs = openai.Int(2)
		return p
	}, "stop"},
}

// sdkLegacyStream streams params and joins the chunks into one completion
// the way a client would: text appended per choice index, the last
// finish_reason, the usage chunk's usage.
func sdkLegacyStream(t *testing.T, client openai.Client, params openai.CompletionNewParams) (openai.Completion, []openai.Completion) {
	t.Helper()
	stream := client.Completions.NewStreaming(t.Context(), params)
	defer stream.Close()
	var acc openai.Completion
	var chunks []openai.Completion
	for stream.Next() {
		c := stream.Current()
		chunks = append(chunks, c)
		acc.ID, acc.Model, acc.Created, acc.Object = c.ID, c.Model, c.Created, c.Object
		if c.JSON.Usage.Valid() {
			acc.Usage = c.Usage
		}
		for _, ch := range c.Choices {
			for int64(len(acc.Choices)) <= ch.Index {
				acc.Choices = append(acc.Choices, openai.CompletionChoice{Index: int64(len(acc.Choices))})
			}
			a := &acc.Choices[ch.Index]
			a.Text += ch.Text
			if ch.FinishReason != "" {
				a.FinishReason = ch.FinishReason
			}
			a.Logprobs.Tokens = append(a.Logprobs.Tokens, ch.Logprobs.Tokens...)
			a.Logprobs.TokenLogprobs = append(a.Logprobs.TokenLogprobs, ch.Logprobs.TokenLogprobs...)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	return acc, chunks
}

func TestSDKOpenAICompletionStreamMatchesUnstreamed(t *testing.T) {
	for _, tc := range sdkLegacyCases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			params := tc.params()
			want, err := client.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatal(err)
			}
			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			got, _ := sdkLegacyStream(t, client, params)
			if got.ID != want.ID || got.Model != want.Model || got.Created != want.Created {
				t.Errorf("identity: unstreamed %s/%s/%d, streamed %s/%s/%d", want.ID, want.Model, want.Created, got.ID, got.Model, got.Created)
			}
			if got.Usage.PromptTokens != want.Usage.PromptTokens || got.Usage.CompletionTokens != want.Usage.CompletionTokens ||
				got.Usage.TotalTokens != want.Usage.TotalTokens {
				t.Errorf("usage: unstreamed %+v, streamed %+v", want.Usage, got.Usage)
			}
			if len(got.Choices) != len(want.Choices) {
				t.Fatalf("choices: unstreamed %d, streamed %d", len(want.Choices), len(got.Choices))
			}
			for i, w := range want.Choices {
				g := got.Choices[i]
				if g.Text != w.Text || g.FinishReason != w.FinishReason || g.Index != w.Index {
					t.Errorf("choice %d: unstreamed %d %q %q, streamed %d %q %q", i, w.Index, w.Text, w.FinishReason, g.Index, g.Text, g.FinishReason)
				}
				if w.FinishReason != openai.CompletionChoiceFinishReason(tc.finish) {
					t.Errorf("choice %d: finish_reason %q, want %q", i, w.FinishReason, tc.finish)
				}
				if !slices.Equal(w.Logprobs.Tokens, g.Logprobs.Tokens) || !slices.Equal(w.Logprobs.TokenLogprobs, g.Logprobs.TokenLogprobs) {
					t.Errorf("choice %d logprobs: unstreamed %v %v, streamed %v %v", i, w.Logprobs.Tokens, w.Logprobs.TokenLogprobs,
						g.Logprobs.Tokens, g.Logprobs.TokenLogprobs)
				}
			}
			if tc.name == "stop" && want.Choices[0].Text != "alpha beta" {
				t.Errorf("text %q, want %q", want.Choices[0].Text, "alpha beta")
			}
			if tc.name == "max_tokens" && want.Usage.CompletionTokens != 3 {
				t.Errorf("completion_tokens %d, want 3", want.Usage.CompletionTokens)
			}
		})
	}
}

func TestSDKOpenAICompletionRequiredFields(t *testing.T) {
	for _, tc := range sdkLegacyCases {
		t.Run(tc.name, func(t *testing.T) {
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			resp, err := client.Completions.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			sdkOpenAPI(t, "CreateCompletionResponse", "text completion", []byte(resp.RawJSON()))
			sdkPresent(t, "text_completion", map[string]sdkField{"id": resp.JSON.ID, "object": resp.JSON.Object,
				"created": resp.JSON.Created, "model": resp.JSON.Model, "choices": resp.JSON.Choices, "usage": resp.JSON.Usage})
			if resp.Object != "text_completion" {
				t.Errorf("object = %q", resp.Object)
			}
			for _, ch := range resp.Choices {
				sdkPresent(t, "choice", map[string]sdkField{"index": ch.JSON.Index, "text": ch.JSON.Text, "finish_reason": ch.JSON.FinishReason})
				if tc.name == "logprobs" {
					sdkPresent(t, "choice", map[string]sdkField{"logprobs": ch.JSON.Logprobs})
				} else {
					sdkNull(t, "choice", map[string]sdkField{"logprobs": ch.JSON.Logprobs})
				}
			}
		})
	}
}

func TestSDKOpenAICompletionChunks(t *testing.T) {
	for _, usage := range []bool{false, true} {
		t.Run(fmt.Sprintf("include_usage=%v", usage), func(t *testing.T) {
			params := sdkLegacy("Once upon a time")
			if usage {
				params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			}
			_, chunks := sdkLegacyStream(t, sdkOpenAIClient(sdkServer(t, nil)), params)
			for i, c := range chunks {
				sdkPresent(t, "chunk", map[string]sdkField{"id": c.JSON.ID, "object": c.JSON.Object, "created": c.JSON.Created,
					"model": c.JSON.Model, "choices": c.JSON.Choices})
				last := i == len(chunks)-1
				if usage && last {
					if c.JSON.Choices.Raw() != "[]" || !c.JSON.Usage.Valid() {
						t.Errorf("usage chunk: choices %s usage %s; want [] and the usage", c.JSON.Choices.Raw(), c.JSON.Usage.Raw())
					}
					continue
				}
				if c.JSON.Usage.Valid() || len(c.Choices) == 0 {
					t.Errorf("chunk %d: usage %s with %d choices", i, c.JSON.Usage.Raw(), len(c.Choices))
				}
				for _, ch := range c.Choices {
					sdkPresent(t, "chunk choice", map[string]sdkField{"index": ch.JSON.Index, "text": ch.JSON.Text})
					if ch.JSON.FinishReason.Raw() == "" || ch.JSON.Logprobs.Raw() == "" {
						t.Errorf("chunk %d: finish_reason %q and logprobs %q must be present (null until used)",
							i, ch.JSON.FinishReason.Raw(), ch.JSON.Logprobs.Raw())
					}
				}
			}
		})
	}
}

func TestSDKOpenAIEmbeddings(t *testing.T) {
	const input = "The quick brown fox jumps over the lazy dog"
	client := sdkOpenAIClient(sdkServer(t, nil))
	embed := func(t *testing.T, format openai.EmbeddingNewParamsEncodingFormat, dims int64, inputs ...string) *openai.CreateEmbeddingResponse {
		t.Helper()
		p := openai.EmbeddingNewParams{Model: "text-embedding-3-small", EncodingFormat: format,
			Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: inputs}}
		if dims > 0 {
			p.Dimensions = openai.Int(dims)
		}
		resp, err := client.Embeddings.New(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		sdkPresent(t, "embedding list", map[string]sdkField{"object": resp.JSON.Object, "data": resp.JSON.Data,
			"model": resp.JSON.Model, "usage": resp.JSON.Usage})
		sdkPresent(t, "embedding usage", map[string]sdkField{"prompt_tokens": resp.Usage.JSON.PromptTokens,
			"total_tokens": resp.Usage.JSON.TotalTokens})
		if resp.Object != "list" || len(resp.Data) != len(inputs) {
			t.Fatalf("object %q with %d items for %d inputs", resp.Object, len(resp.Data), len(inputs))
		}
		for i, d := range resp.Data {
			sdkPresent(t, "embedding", map[string]sdkField{"object": d.JSON.Object, "index": d.JSON.Index, "embedding": d.JSON.Embedding})
			if d.Index != int64(i) || d.Object != "embedding" {
				t.Errorf("item %d: index %d object %q", i, d.Index, d.Object)
			}
		}
		if format != openai.EmbeddingNewParamsEncodingFormatBase64 {
			sdkOpenAPI(t, "CreateEmbeddingResponse", "embeddings", []byte(resp.RawJSON()))
		}
		return resp
	}
	unit := func(t *testing.T, v []float64) {
		t.Helper()
		var sum float64
		for _, x := range v {
			sum += x * x
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Errorf("vector length² %v, want 1", sum)
		}
	}
	same := func(t *testing.T, what string, a, b []float64) {
		t.Helper()
		if len(a) != len(b) {
			t.Fatalf("%s: %d and %d values", what, len(a), len(b))
		}
		for i := range a {
			// float text and base64 float32 reach float64 by different
			// roundings; both stand for the same float32.
			if math.Abs(a[i]-b[i]) > 1e-7 {
				t.Fatalf("%s: value %d differs: %v and %v", what, i, a[i], b[i])
			}
		}
	}

	t.Run("float and base64", func(t *testing.T) {
		f := embed(t, openai.EmbeddingNewParamsEncodingFormatFloat, 0, input).Data[0].Embedding
		b := embed(t, openai.EmbeddingNewParamsEncodingFormatBase64, 0, input).Data[0].Embedding
		if len(f) != 1536 {
			t.Errorf("%d values, want text-embedding-3-small's 1536", len(f))
		}
		unit(t, f)
		unit(t, b)
		same(t, "float vs base64", f, b)
	})
	t.Run("dimensions", func(t *testing.T) {
		for _, format := range []openai.EmbeddingNewParamsEncodingFormat{openai.EmbeddingNewParamsEncodingFormatFloat, openai.EmbeddingNewParamsEncodingFormatBase64} {
			v := embed(t, format, 256, input).Data[0].Embedding
			if len(v) != 256 {
				t.Errorf("%s: %d values, want 256", format, len(v))
			}
			unit(t, v)
		}
	})
	t.Run("same input same vector", func(t *testing.T) {
		resp := embed(t, "", 0, input, "something else", input)
		same(t, "first and third", resp.Data[0].Embedding, resp.Data[2].Embedding)
		again := embed(t, "", 0, input)
		same(t, "two calls", resp.Data[0].Embedding, again.Data[0].Embedding)
		other := sdkOpenAIClient(sdkServer(t, nil))
		r3, err := other.Embeddings.New(t.Context(), openai.EmbeddingNewParams{Model: "text-embedding-3-small",
			Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(input)}})
		if err != nil {
			t.Fatal(err)
		}
		same(t, "two servers", resp.Data[0].Embedding, r3.Data[0].Embedding)
		if slices.Equal(resp.Data[0].Embedding, resp.Data[1].Embedding) {
			t.Error("different inputs embed alike")
		}
	})
}

func TestSDKOpenAIModels(t *testing.T) {
	check := func(t *testing.T, m openai.Model) {
		t.Helper()
		sdkPresent(t, "model "+m.ID, map[string]sdkField{"id": m.JSON.ID, "object": m.JSON.Object,
			"created": m.JSON.Created, "owned_by": m.JSON.OwnedBy})
		if m.Object != "model" {
			t.Errorf("model %s: object %q", m.ID, m.Object)
		}
		sdkOpenAPI(t, "Model", "model "+m.ID, []byte(m.RawJSON()))
	}
	t.Run("list and get", func(t *testing.T) {
		client := sdkOpenAIClient(sdkServer(t, nil))
		page, err := client.Models.List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		sdkPresent(t, "model list", map[string]sdkField{"object": page.JSON.Object, "data": page.JSON.Data})
		sdkOpenAPI(t, "ListModelsResponse", "model list", []byte(page.RawJSON()))
		var ids []string
		for _, m := range page.Data {
			check(t, m)
			ids = append(ids, m.ID)
			if strings.HasPrefix(m.ID, "claude") {
				t.Errorf("OpenAI's list shows Anthropic's %s", m.ID)
			}
		}
		if !slices.Contains(ids, "gpt-4o") {
			t.Errorf("list %v lacks gpt-4o", ids)
		}
		m, err := client.Models.Get(t.Context(), "gpt-4o")
		if err != nil {
			t.Fatal(err)
		}
		check(t, *m)
		if m.ID != "gpt-4o" || m.Created != page.Data[slices.Index(ids, "gpt-4o")].Created {
			t.Errorf("get gpt-4o: %s created %d, unlike the list", m.ID, m.Created)
		}
	})
	t.Run("allow-list", func(t *testing.T) {
		client := sdkOpenAIClient(sdkServer(t, func(c *simulate.Config) { c.AllowedModels = []string{"gpt-4o", "my-model"} }))
		page, err := client.Models.List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range page.Data {
			check(t, m)
			ids = append(ids, m.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"gpt-4o", "my-model"}) {
			t.Errorf("list %v, want the allow-list", ids)
		}
		if _, err := client.Models.Get(t.Context(), "my-model"); err != nil {
			t.Errorf("get an allowed model: %v", err)
		}
	})
}
