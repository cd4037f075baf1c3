package simulate

import (
	"context"
	"fmt"
	"strings"

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
	dims := geminiEmbeddingDims(model)
	if d := r.OutputDimensionality; d != nil {
		if *d < 1 || *d > dims {
			return geminiEmbedding{}, 0, geminiViolation(request, at+"output_dimensionality", "must be in the range [1, %d].", dims)
		}
		dims = *d
	}
	text := r.Content.text()
	return geminiEmbedding{Values: embed(model, text, dims)}, CountTokens(text), nil
}

func serveEmbedContent(ctx context.Context, c *Call, out wire.Sink, model string) error {
	var req embedContentRequest
	if e := decodeGemini(c.Body, &req); e != nil {
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

func serveBatchEmbedContents(ctx context.Context, c *Call, out wire.Sink, model string) error {
	var req struct {
		Requests *[]embedContentRequest `json:"requests"`
	}
	if e := decodeGemini(c.Body, &req); e != nil {
		return c.fail(out, gemini, e)
	}
	const request = "BatchEmbedContentsRequest"
	if req.Requests == nil || len(*req.Requests) == 0 {
		return c.fail(out, gemini, geminiViolation(request, "requests", "requests is not specified"))
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
