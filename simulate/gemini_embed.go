package simulate

import (
	"context"
	"fmt"
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/canon"
	"github.com/llm-simulator/llm-simulator/wire"
)

// embedContent and batchEmbedContents: the vectors of embed (see
// openai_embeddings.go), a function of the model and the text alone.

type embedContentRequest struct {
	Model                *string        `json:"model"` // in a batch: models/{model}, the URL's
	Content              *geminiContent `json:"content"`
	TaskType             *string        `json:"taskType"`
	Title                *string        `json:"title"`
	OutputDimensionality *int           `json:"outputDimensionality"`
}

type geminiEmbedding struct {
	Values []float32 `json:"values"`
}

// geminiEmbeddingDims is a model's native width.
func geminiEmbeddingDims(model string) int {
	if strings.HasPrefix(model, "gemini-embedding") {
		return 3072
	}
	return 768
}

var geminiTaskTypes = []string{"TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY",
	"CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"}

// embedding validates one request (at names it in messages) and embeds it,
// returning its vector and its token count.
func (r *embedContentRequest) embedding(model, request, at string) (geminiEmbedding, int, *wire.APIError) {
	if r.Content == nil {
		return geminiEmbedding{}, 0, geminiViolation(request, at+"content", "content is not specified")
	}
	if e := r.Content.validate(at + "content"); e != nil {
		e.Message = strings.Replace(e.Message, "GenerateContentRequest.", request+".", 1)
		return geminiEmbedding{}, 0, e
	}
	if r.TaskType != nil && !oneOf(*r.TaskType, geminiTaskTypes) {
		return geminiEmbedding{}, 0, geminiInvalid("Invalid value at '%stask_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), %q", at, *r.TaskType)
	}
	dims, e := r.dims(model, request, at)
	if e != nil {
		return geminiEmbedding{}, 0, e
	}
	text := r.Content.text()
	return geminiEmbedding{Values: embed(model, text, dims)}, CountTokens(text), nil
}

// dims is how wide the request's vector is: the model's width, or the
// narrower one asked for.
func (r *embedContentRequest) dims(model, request, at string) (int, *wire.APIError) {
	dims := geminiEmbeddingDims(model)
	if d := r.OutputDimensionality; d != nil {
		if *d < 1 || *d > dims {
			return 0, geminiViolation(request, at+"output_dimensionality", "must be in the range [1, %d].", dims)
		}
		dims = *d
	}
	return dims, nil
}

// overEmbedBudget is the 400 for requests whose vectors would not fit the
// response budget, nil when they fit. Widths out of range are left to
// embedding to refuse.
func overEmbedBudget(c *Call, model string, reqs []embedContentRequest) *wire.APIError {
	var want int64
	for i := range reqs {
		dims, _ := reqs[i].dims(model, "", "")
		want += embeddingsBytes(1, dims, false)
	}
	if budget := c.Config.responseBudget(); want > budget {
		return overBudget("gemini", want, budget)
	}
	return nil
}

func serveEmbedContent(ctx context.Context, c *Call, out wire.Sink, model string) error {
	var req embedContentRequest
	if e := decodeGemini(c.Body, &req); e != nil {
		return c.fail(out, gemini, e)
	}
	if e := overEmbedBudget(c, model, []embedContentRequest{req}); e != nil {
		return c.fail(out, gemini, e)
	}
	v, tokens, e := req.embedding(model, "EmbedContentRequest", "")
	if e != nil {
		return c.fail(out, gemini, e)
	}
	resp := struct {
		Embedding geminiEmbedding `json:"embedding"`
	}{v}
	return sendEmbeddings(ctx, c, out, model, tokens, &resp)
}

// maxGeminiBatch is the most requests one batchEmbedContents takes: the
// API refuses more with "at most 100 requests can be in one batch".
const maxGeminiBatch = 100

func serveBatchEmbedContents(ctx context.Context, c *Call, out wire.Sink, model string) error {
	const request = "BatchEmbedContentsRequest"
	if raw, ok := canon.Lookup(c.Body, "requests"); ok {
		// Counted before they are decoded: twenty thousand requests are
		// refused for the price of one scan.
		if n, ok := canon.ArrayLen(raw); ok && n > maxGeminiBatch {
			return c.fail(out, gemini, geminiViolation(request, "requests", "at most %d requests can be in one batch", maxGeminiBatch))
		}
	}
	var req struct {
		Requests *[]embedContentRequest `json:"requests"`
	}
	if e := decodeGemini(c.Body, &req); e != nil {
		return c.fail(out, gemini, e)
	}
	if req.Requests == nil || len(*req.Requests) == 0 {
		return c.fail(out, gemini, geminiViolation(request, "requests", "requests is not specified"))
	}
	if len(*req.Requests) > maxGeminiBatch { // a body the scan could not read, such as duplicate members
		return c.fail(out, gemini, geminiViolation(request, "requests", "at most %d requests can be in one batch", maxGeminiBatch))
	}
	if e := overEmbedBudget(c, model, *req.Requests); e != nil {
		return c.fail(out, gemini, e)
	}
	resp := struct {
		Embeddings []geminiEmbedding `json:"embeddings"`
	}{make([]geminiEmbedding, len(*req.Requests))}
	total := 0
	for i, r := range *req.Requests {
		at := fmt.Sprintf("requests[%d].", i)
		if r.Model != nil && strings.TrimPrefix(*r.Model, "models/") != model {
			return c.fail(out, gemini, geminiViolation(request, at+"model",
				"Model \"%s\" in the request does not match the model \"models/%s\" in the URL.", *r.Model, model))
		}
		v, tokens, e := r.embedding(model, request, at)
		if e != nil {
			return c.fail(out, gemini, e)
		}
		resp.Embeddings[i], total = v, total+tokens
	}
	return sendEmbeddings(ctx, c, out, model, total, &resp)
}

// sendEmbeddings bills and times an embedding answer, then sends it.
func sendEmbeddings(ctx context.Context, c *Call, out wire.Sink, model string, tokens int, resp any) error {
	c.Request.Usage = Usage{PromptTokens: tokens}
	if err := newPacer(c, c.model(model)).first(ctx, tokens); err != nil {
		return err
	}
	return sendGeminiJSON(c, out, resp)
}
