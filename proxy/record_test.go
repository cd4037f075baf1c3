package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Recorded once through the proxy, every call replays after a restart
// with the upstream gone: the same bytes, the same SDK results, streamed
// and not, for both providers; no key reaches the cassettes.
func TestRecordThenReplayWithUpstreamDown(t *testing.T) {
	dir := t.TempDir()
	up := simUpstream(t, 2*time.Millisecond)
	ca := up.caFile(t)
	rec := tape(t, up.URL, ca, dir, "record", "{}")
	want := converse(t, rec.srv.URL)
	// A stream's recording is committed as the upstream's body ends,
	// which may come just after the SDK, done at the terminal event, has
	// returned.
	waitFor(t, func() bool { return len(cassetteFiles(t, dir)) >= 6 })
	if n := len(cassetteFiles(t, dir)); n != 6 {
		t.Fatalf("%d recordings for 6 distinct calls", n)
	}
	hits := up.hits.Load()
	up.Close()

	rep := tape(t, up.URL, ca, dir, "replay", "{timing: instant}")
	got := converse(t, rep.srv.URL)
	if got != want {
		t.Fatalf("replayed:\n%+v\nrecorded:\n%+v", got, want)
	}
	if up.hits.Load() != hits {
		t.Fatal("a replay reached the upstream")
	}
	grepDir(t, dir, openAIKey, anthropicKey)
}

// A recording made through the base URL replays to an app that reaches
// api.openai.com through HTTPS_PROXY: the host is not part of the key.
func TestReplayThroughHTTPSProxy(t *testing.T) {
	dir := t.TempDir()
	up := simUpstream(t, 0)
	ca := up.caFile(t)
	rec := tape(t, up.URL, ca, dir, "record", "{}")
	oc := openai.NewClient(option.WithBaseURL(rec.srv.URL+"/v1"), option.WithAPIKey(openAIKey))
	want, err := oc.Chat.Completions.New(context.Background(), chatParams("gpt-4o"))
	if err != nil {
		t.Fatal(err)
	}
	rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{timing: instant}")
	pc := openai.NewClient(option.WithHTTPClient(rep.proxyClient()), option.WithAPIKey(openAIKey))
	var raw *http.Response
	got, err := pc.Chat.Completions.New(context.Background(), chatParams("gpt-4o"), option.WithResponseInto(&raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Choices[0].Message.Content != want.Choices[0].Message.Content || raw.ProtoMajor != 2 {
		t.Fatalf("through the proxy (%s): %+v, recorded %+v", raw.Proto, got, want)
	}
}

// countingUpstream answers every call with the count of calls so far, so
// a test can tell recordings of one request apart.
func countingUpstream(t *testing.T) *fakeUpstream {
	var n atomic.Int64
	return newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-%d","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"answer %d","refusal":null},"logprobs":null,"finish_reason":"stop"}]}`, n.Add(1), n.Load())
	})
}

// answerOf is the content of a chat answer.
func answerOf(t *testing.T, body string) string {
	t.Helper()
	var c struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil || len(c.Choices) == 0 {
		t.Fatalf("not a chat answer: %v\n%s", err, body)
	}
	return c.Choices[0].Message.Content
}

const sameQuestion = `{"model":"gpt-4o","messages":[{"role":"user","content":"again"}]}`

// recordThrice records the same request three times, each answered
// differently.
func recordThrice(t *testing.T) (dir, ca string) {
	dir = t.TempDir()
	up := countingUpstream(t)
	ca = up.caFile(t)
	rec := tape(t, up.URL, ca, dir, "record", "{}")
	for range 3 {
		rawPost(t, rec.srv.URL+"/v1/chat/completions", sameQuestion)
	}
	return dir, ca
}

// The same request recorded three times replays in recorded order; then
// the last repeats, or the order wraps; each scope keeps its own place.
func TestRepeatedRequestsReplayInOrder(t *testing.T) {
	dir, ca := recordThrice(t)
	for _, tc := range []struct {
		afterLast string
		want      []string
	}{
		{"repeat", []string{"answer 1", "answer 2", "answer 3", "answer 3"}},
		{"wrap", []string{"answer 1", "answer 2", "answer 3", "answer 1"}},
	} {
		t.Run(tc.afterLast, func(t *testing.T) {
			rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{timing: instant, after_last: "+tc.afterLast+"}")
			url := rep.srv.URL + "/v1/chat/completions"
			var got []string
			for range 4 {
				got = append(got, answerOf(t, rawPost(t, url, sameQuestion)))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("replayed %q, want %q", got, tc.want)
			}
			_, body := post(t, url, sameQuestion, map[string]string{"X-Llmsim-Scope": "other-test"})
			if a := answerOf(t, body); a != "answer 1" {
				t.Fatalf("a new scope starts at %q", a)
			}
		})
	}
}

// What replay does when nothing was recorded is the rule's choice: a
// provider-shaped 404 that says what differs from the nearest recording,
// a forward, or a simulated answer; replay_or_record records the miss and
// replays it from then on.
func TestReplayMisses(t *testing.T) {
	dir, ca := recordThrice(t)
	other := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"again"}]}`

	rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{timing: instant}")
	oc := openai.NewClient(option.WithBaseURL(rep.srv.URL+"/v1"), option.WithAPIKey(openAIKey), option.WithMaxRetries(0))
	_, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("again")}})
	apiErr := asOpenAIError(t, err)
	if apiErr.StatusCode != http.StatusNotFound || apiErr.Code != "no_recording" ||
		!strings.Contains(apiErr.Message, `"gpt-4o-mini"`) || !strings.Contains(apiErr.Message, "nearest") {
		t.Fatalf("miss: %d %s %q", apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}

	sim := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{on_miss: simulate}")
	if _, body := post(t, sim.srv.URL+"/v1/chat/completions", other, nil); strings.HasPrefix(answerOf(t, body), "answer") {
		t.Fatalf("on_miss simulate answered from the upstream: %s", body)
	}

	up := countingUpstream(t)
	fwd := tape(t, up.URL, up.caFile(t), dir, "replay", "{on_miss: forward}")
	if a := answerOf(t, rawPost(t, fwd.srv.URL+"/v1/chat/completions", other)); a != "answer 1" || up.hits.Load() != 1 {
		t.Fatalf("on_miss forward: %q, %d upstream calls", a, up.hits.Load())
	}

	spyDir := t.TempDir()
	spyUp := countingUpstream(t)
	spy := tape(t, spyUp.URL, spyUp.caFile(t), spyDir, "replay_or_record", "{timing: instant}")
	for i := range 3 {
		if a := answerOf(t, rawPost(t, spy.srv.URL+"/v1/chat/completions", other)); a != "answer 1" {
			t.Fatalf("call %d: %q", i, a)
		}
	}
	if spyUp.hits.Load() != 1 || len(cassetteFiles(t, spyDir)) != 1 {
		t.Fatalf("replay_or_record called the upstream %d times, wrote %d files", spyUp.hits.Load(), len(cassetteFiles(t, spyDir)))
	}
}

// x-llmsim-cassette picks a named cassette, a subdirectory, for one
// request; a name that would leave the cache directory is refused.
func TestNamedCassettes(t *testing.T) {
	dir := t.TempDir()
	up := countingUpstream(t)
	ca := up.caFile(t)
	rec := tape(t, up.URL, ca, dir, "record", "{}")
	named := map[string]string{"X-Llmsim-Cassette": "suite-a/test-1"}
	post(t, rec.srv.URL+"/v1/chat/completions", sameQuestion, named)
	files := cassetteFiles(t, dir)
	if len(files) != 1 || filepath.Dir(files[0]) != filepath.Join(dir, "suite-a", "test-1") {
		t.Fatalf("recorded into %v", files)
	}

	rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{timing: instant}")
	url := rep.srv.URL + "/v1/chat/completions"
	if status, body := post(t, url, sameQuestion, named); status != http.StatusOK || answerOf(t, body) != "answer 1" {
		t.Fatalf("named cassette: %d %s", status, body)
	}
	if status, _ := post(t, url, sameQuestion, nil); status != http.StatusNotFound {
		t.Fatalf("the root cassette replayed a named one's recording: %d", status)
	}
	status, body := post(t, url, sameQuestion, map[string]string{"X-Llmsim-Cassette": "../escape"})
	if status != http.StatusBadRequest || !strings.Contains(body, "X-Llmsim-Cassette") {
		t.Fatalf("bad name: %d %s", status, body)
	}
}
