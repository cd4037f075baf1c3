package proxy

// Reproducibility as the SDKs see it: the same request to a fresh Front
// with the same seed gets the same answer; the nth call of a request gets
// the nth answer whether or not other calls (streamed ones included) came
// between; stream, stream_options and user do not change the words.

import (
	"net/http"
	"testing"

	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func TestSDKDeterminismAcrossServers(t *testing.T) {
	t.Run("chat", func(t *testing.T) {
		var raws []string
		for range 2 {
			client := sdkOpenAIClient(sdkServer(t, nil))
			r, err := client.Chat.Completions.New(t.Context(), sdkChatParams("tool_choice required")())
			if err != nil {
				t.Fatal(err)
			}
			raws = append(raws, r.RawJSON())
		}
		if raws[0] != raws[1] {
			t.Errorf("two fresh servers answered differently:\n%s\n%s", raws[0], raws[1])
		}
	})
	t.Run("responses", func(t *testing.T) {
		var raws []string
		for range 2 {
			client := sdkOpenAIClient(sdkServer(t, nil))
			r, err := client.Responses.New(t.Context(), sdkResponsesParams("tool_choice required")())
			if err != nil {
				t.Fatal(err)
			}
			raws = append(raws, r.RawJSON())
		}
		if raws[0] != raws[1] {
			t.Errorf("two fresh servers answered differently:\n%s\n%s", raws[0], raws[1])
		}
	})
	t.Run("messages", func(t *testing.T) {
		var raws []string
		for range 2 {
			client := sdkAnthropicClient(sdkServer(t, nil))
			m, err := client.Messages.New(t.Context(), sdkMessageParams("thinking and tool")())
			if err != nil {
				t.Fatal(err)
			}
			raws = append(raws, m.RawJSON())
		}
		if raws[0] != raws[1] {
			t.Errorf("two fresh servers answered differently:\n%s\n%s", raws[0], raws[1])
		}
	})
}

// Repeating a request gives a new answer each time, and the nth streamed
// call matches the nth unstreamed one however the two kinds interleave.
func TestSDKDeterminismOccurrences(t *testing.T) {
	client := sdkOpenAIClient(sdkServer(t, nil))
	params := sdkChat("Tell me a story.")
	var plain []*openai.ChatCompletion
	for range 3 {
		r, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, r)
	}
	if plain[0].ID == plain[1].ID || plain[0].Choices[0].Message.Content == plain[1].Choices[0].Message.Content {
		t.Errorf("a repeated request got the same answer: %s", plain[1].RawJSON())
	}
	streamed := params
	streamed.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	for i := range plain {
		got, _ := sdkChatStream(t, client, streamed)
		sdkCompareChat(t, plain[i], got)
	}
}

func TestSDKDeterminismIgnoresUser(t *testing.T) {
	answer := func(user string) *openai.ChatCompletion {
		t.Helper()
		client := sdkOpenAIClient(sdkServer(t, nil))
		p := sdkChat("Tell me a story.")
		if user != "" {
			p.User = openai.String(user)
		}
		r, err := client.Chat.Completions.New(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := answer(""), answer("alice")
	if a.ID != b.ID || a.Choices[0].Message.Content != b.Choices[0].Message.Content {
		t.Errorf("user changed the answer: %q vs %q", a.Choices[0].Message.Content, b.Choices[0].Message.Content)
	}
}

// A request id names one HTTP exchange: within a run no two exchanges
// share one, not even a streamed call and its unstreamed twin, which
// share their seed so that they share their words.
func TestSDKRequestIDsUnique(t *testing.T) {
	srv := sdkServer(t, nil)
	oc, ac := sdkOpenAIClient(srv), sdkAnthropicClient(srv)
	ids := map[string]string{}
	note := func(what string, resp *http.Response) {
		t.Helper()
		id := resp.Header.Get("X-Request-Id") + resp.Header.Get("Request-Id")
		if prev, ok := ids[id]; ok {
			t.Errorf("%s has request id %s, as %s had", what, id, prev)
		}
		ids[id] = what
	}
	var resp *http.Response
	if _, err := oc.Chat.Completions.New(t.Context(), sdkChat("hi"), option.WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	note("chat", resp)
	sdkChatStream(t, oc, sdkChat("hi"), option.WithResponseInto(&resp))
	note("chat streamed", resp)
	if _, err := ac.Messages.New(t.Context(), sdkMessage("hi"), aoption.WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	note("message", resp)
	s := ac.Messages.NewStreaming(t.Context(), sdkMessage("hi"), aoption.WithResponseInto(&resp))
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	note("message streamed", resp)
}
