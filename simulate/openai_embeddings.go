package simulate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/canon"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Embeddings (POST /v1/embeddings).
//
// Vectors are a function of the model and the input alone (not the seed),
// so the same text always embeds alike, and texts that share words point
// in similar directions: each word adds a sparse signature of ±1 at
// positions drawn from its hash, over a small dense component from the
// whole input, and the sum is scaled to unit length.

type embeddingRequest struct {
	Model          *string         `json:"model"`
	Input          json.RawMessage `json:"input"`
	Dimensions     *int            `json:"dimensions"`
	EncodingFormat *string         `json:"encoding_format"`
	User           *string         `json:"user"`
}

type embeddingList struct {
	Object string          `json:"object"`
	Data   []embeddingItem `json:"data"`
	Model  string          `json:"model"`
	Usage  struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

type embeddingItem struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"` // []float32, or a base64 string
}

// The API's documented limits on one request
// (platform.openai.com/docs/api-reference/embeddings/create): at most
// 2048 inputs, and 300,000 tokens summed over them.
const (
	maxEmbeddingInputs = 2048
	maxEmbeddingTokens = 300000
	signatureWidth     = 16 // positions each word touches
)

// embeddingDims is each known model's native width; others get 1536.
func embeddingDims(model string) (dims int, shortenable bool) {
	switch {
	case strings.HasPrefix(model, "text-embedding-3-large"):
		return 3072, true
	case strings.HasPrefix(model, "text-embedding-3"):
		return 1536, true
	case strings.HasPrefix(model, "text-embedding-ada"):
		return 1536, false
	}
	return 1536, true
}

func (r *embeddingRequest) validate() ([]string, *wire.APIError) {
	if r.Model == nil || *r.Model == "" {
		return nil, badRequest("", "", "you must provide a model parameter")
	}
	if len(r.Input) == 0 || string(r.Input) == "null" {
		return nil, missing("input")
	}
	if n, ok := embeddingInputCount(r.Input); ok && n > maxEmbeddingInputs {
		// Counted before the inputs are built: a body of a million tiny
		// inputs is refused for the price of one scan.
		return nil, badRequest("input", "invalid_value", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
	}
	inputs, ok := legacyPrompts(r.Input)
	if !ok {
		return nil, badRequest("input", "invalid_type", "Invalid type for 'input': expected one of a string, array of strings, array of integers or array of arrays of integers, but got %s instead.", article(rawKind(r.Input)))
	}
	if len(inputs) == 0 || len(inputs) > maxEmbeddingInputs {
		return nil, badRequest("input", "invalid_value", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
	}
	for _, in := range inputs {
		if in == "" {
			return nil, badRequest("input", "invalid_value", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
		}
	}
	if f := r.EncodingFormat; f != nil && *f != "float" && *f != "base64" {
		return nil, invalidValue("encoding_format", *f, []string{"float", "base64"})
	}
	native, shortenable := embeddingDims(*r.Model)
	if r.Dimensions != nil {
		if !shortenable {
			return nil, badRequest("dimensions", "", "This model does not support specifying dimensions.")
		}
		if e := intBetween("dimensions", r.Dimensions, 1, native); e != nil {
			return nil, e
		}
	}
	return inputs, nil
}

func serveEmbeddings(ctx context.Context, c *Call, out wire.Sink) error {
	var req embeddingRequest
	if e := decodeOpenAI(c.Body, &req); e != nil {
		return c.fail(out, openAI, e)
	}
	inputs, e := req.validate()
	if e != nil {
		return c.fail(out, openAI, e)
	}
	if !c.Config.allowed(*req.Model) {
		return c.fail(out, openAI, openAIModelNotFound(*req.Model))
	}
	native, _ := embeddingDims(*req.Model)
	dims := deref(req.Dimensions, native)
	b64 := req.EncodingFormat != nil && *req.EncodingFormat == "base64"
	tokens := 0
	for _, in := range inputs {
		tokens += CountTokens(in)
	}
	if tokens > maxEmbeddingTokens {
		return c.fail(out, openAI, &wire.APIError{Status: 400, Type: "max_tokens_per_request", Code: "max_tokens_per_request",
			Message: fmt.Sprintf("Requested %d tokens, max %d tokens per request", tokens, maxEmbeddingTokens)})
	}
	if want, budget := embeddingsBytes(len(inputs), dims, b64), c.Config.responseBudget(); want > budget {
		return c.fail(out, openAI, overBudget("openai", want, budget))
	}
	resp := embeddingList{Object: "list", Model: *req.Model, Data: make([]embeddingItem, len(inputs))}
	for i, in := range inputs {
		v := embed(*req.Model, in, dims)
		item := embeddingItem{Object: "embedding", Index: i, Embedding: v}
		if b64 {
			item.Embedding = float32Base64(v)
		}
		resp.Data[i] = item
	}
	resp.Usage.PromptTokens, resp.Usage.TotalTokens = tokens, tokens
	c.Request.Usage = Usage{PromptTokens: resp.Usage.PromptTokens}
	m := c.model(*req.Model)
	if err := newPacer(c, m).first(ctx, resp.Usage.PromptTokens); err != nil {
		return err
	}
	return sendJSON(out, func(n int) wire.Event { return openAIHead(c, wire.NotStream, n) }, &resp)
}

// embeddingInputCount is how many inputs a raw input holds, counted
// without building them; ok is false for a lone string or token array (one
// input) and for what is not an array.
func embeddingInputCount(raw json.RawMessage) (int, bool) {
	rest := bytes.TrimLeft(raw, " \t\r\n")
	if len(rest) < 2 || rest[0] != '[' {
		return 0, false
	}
	if first := bytes.TrimLeft(rest[1:], " \t\r\n"); len(first) > 0 && (first[0] == '-' || first[0] >= '0' && first[0] <= '9') {
		return 0, false // an array of token ids is one input
	}
	return canon.ArrayLen(rest)
}

// embeddingsBytes is about how large an answer of n vectors of dims
// values is, a little under what encoding them takes: a unit vector's
// values take about thirteen bytes each as JSON ("-0.0041615292,"), and
// base64 carries four bytes in about five and a third.
func embeddingsBytes(n, dims int, b64 bool) int64 {
	per := int64(dims) * 12
	if b64 {
		per = int64(base64.StdEncoding.EncodedLen(4 * dims))
	}
	return int64(n) * (per + 64)
}

// embed returns the unit vector of text under model, dims wide.
func embed(model, text string, dims int) []float32 {
	v := make([]float64, dims)
	dense := newRNG(canon.Hash([]byte(model+"\x00"+text)), 0xe)
	for i := range v {
		v[i] = (dense.Float64() - 0.5) * 0.1
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), isSeparator) {
		r := newRNG(canon.Hash([]byte(model+"\x00"+w)), 0xf)
		for range signatureWidth {
			v[r.IntN(dims)] += float64(r.IntN(2)*2 - 1)
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

func isSeparator(r rune) bool { return !(isWordRune(r) || isIdeographic(r) || (r >= '0' && r <= '9')) }

// float32Base64 is the API's base64 form: little-endian float32s.
func float32Base64(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}
