package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

const httpFaultsYAML = `version: 1
rules:
  - name: reset
    match: {model: reset}
    faults: [{abort: {reset: true}}]
  - name: close
    match: {model: close}
    faults: [{abort: {}}]
  - name: hang
    match: {model: hang}
    faults: [{hang: {max: 1m}}]
  - name: gateway
    match: {model: gateway}
    faults: [{raw: {status: 502, content_type: text/html, body: "<html>Bad Gateway</html>"}}]
  - name: tools
    match: {model: agent}
    respond:
      sequence:
        - tool_calls: [{name: get_weather, arguments: {city: Paris}}]
        - text: "It is sunny in Paris."
  - name: quiet
    match: {model: quiet}
    faults: [{error: {status: 500, times: 1}}]
`

func postModel(t *testing.T, ctx context.Context, url, model string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/v1/chat/completions",
		strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
	return http.DefaultClient.Do(req)
}

func TestAbortFaultsDropTheConnection(t *testing.T) {
	srv := rulesServer(t, httpFaultsYAML, nil)
	_, err := postModel(t, t.Context(), srv.URL, "reset")
	if err == nil || !(errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "reset")) {
		t.Fatalf("reset: got %v, want a connection reset", err)
	}
	_, err = postModel(t, t.Context(), srv.URL, "close")
	if err == nil || !(errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF")) {
		t.Fatalf("close: got %v, want an EOF", err)
	}
}

func TestHangHoldsUntilTheClientGivesUp(t *testing.T) {
	srv := rulesServer(t, httpFaultsYAML, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := postModel(t, ctx, srv.URL, "hang")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("got %v after %v, want the client's own timeout", err, time.Since(start))
	}
}

func TestRawAndDebugHeaders(t *testing.T) {
	srv := rulesServer(t, httpFaultsYAML, nil)
	resp, err := postModel(t, t.Context(), srv.URL, "gateway")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || string(body) != "<html>Bad Gateway</html>" || resp.Header.Get("Content-Type") != "text/html" {
		t.Fatalf("%d %s %v", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("X-Llmsim-Rule") != "gateway" || resp.Header.Get("X-Llmsim-Faults") != "raw" {
		t.Fatalf("debug headers %v", resp.Header)
	}
	resp, err = postModel(t, t.Context(), srv.URL, "quiet")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = postModel(t, t.Context(), srv.URL, "quiet")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Llmsim-Faults") != "" || resp.Header.Get("X-Llmsim-Rule") != "quiet" {
		t.Fatalf("after the one error: %d %v", resp.StatusCode, resp.Header)
	}
}

// A scripted tool-using conversation: the app's tool loop gets the tool
// call, then the answer.
func TestScriptedConversationThroughTheSDK(t *testing.T) {
	srv := rulesServer(t, httpFaultsYAML, nil)
	client := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test"), option.WithMaxRetries(0))
	params := openai.ChatCompletionNewParams{Model: "agent", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris?")},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "get_weather"})}}
	first, err := client.Chat.Completions.New(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	calls := first.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Paris"}` || first.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("first answer %s", first.RawJSON())
	}
	params.Messages = append(params.Messages, first.Choices[0].Message.ToParam(), openai.ToolMessage("18C, clear", calls[0].ID))
	second, err := client.Chat.Completions.New(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	if second.Choices[0].Message.Content != "It is sunny in Paris." || second.Choices[0].FinishReason != "stop" {
		t.Fatalf("second answer %s", second.RawJSON())
	}
}
