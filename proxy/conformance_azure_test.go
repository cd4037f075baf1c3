package proxy

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
)

// azureConfPath is the deployment path of an Azure call; the bodies'
// "model" is then Azure's to ignore.
func azureConfPath(deployment, op string) string {
	return "/openai/deployments/" + deployment + "/" + op + "?api-version=" + azureAPIVersion
}

// Azure's chat and completions answers are OpenAI's with members added
// (prompt_filter_results, content_filter_results): they still follow
// OpenAI's schemas, which allow extra members. The one event that does
// not, the prompt filter's chunk every Azure stream opens with (empty
// object, id and model), is checked for what it is and set aside.
func TestConformanceAzure(t *testing.T) {
	spec := confSpec(t)
	srv := confServer(t, simulate.Config{})
	for _, tc := range confChatCases {
		if tc.whole {
			t.Run("chat "+tc.name, func(t *testing.T) {
				r := confDo(t, srv, http.MethodPost, azureConfPath("prod-chat", "chat/completions"), tc.body)
				confWant(t, r, http.StatusOK, "application/json")
				spec.validate(t, "Azure chat", "CreateChatCompletionResponse", r.body)
			})
		}
		if tc.stream {
			t.Run("chat stream "+tc.name, func(t *testing.T) {
				r := confDo(t, srv, http.MethodPost, azureConfPath("prod-chat", "chat/completions"), tc.body[:len(tc.body)-1]+`,"stream":true}`)
				confWant(t, r, http.StatusOK, "text/event-stream")
				confCheckChatStream(t, spec, azureAfterPromptFilter(t, r.body), tc.want)
			})
		}
	}
	for _, tc := range confCompletionCases {
		t.Run("completions "+tc.name, func(t *testing.T) {
			r := confDo(t, srv, http.MethodPost, azureConfPath("instruct", "completions"), tc.body)
			confWant(t, r, http.StatusOK, "application/json")
			spec.validate(t, "Azure completions", "CreateCompletionResponse", r.body)
			r = confDo(t, srv, http.MethodPost, azureConfPath("instruct", "completions"), tc.body[:len(tc.body)-1]+`,"stream":true}`)
			confWant(t, r, http.StatusOK, "text/event-stream")
			confCheckCompletionStream(t, spec, azureAfterPromptFilter(t, r.body), tc.choices)
		})
	}
	r := confDo(t, srv, http.MethodPost, azureConfPath("embed", "embeddings"), `{"input":["hello","bye"]}`)
	confWant(t, r, http.StatusOK, "application/json")
	spec.validate(t, "Azure embeddings", "CreateEmbeddingResponse", r.body)
}

// azureAfterPromptFilter checks that a stream opens with Azure's prompt
// filter chunk and returns the rest.
func azureAfterPromptFilter(t *testing.T, body []byte) []byte {
	t.Helper()
	first, rest, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok || !bytes.HasPrefix(first, []byte(`data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,`)) {
		t.Fatalf("the stream does not open with the prompt filter's chunk: %s", confTruncate(body, 512))
	}
	return rest
}
