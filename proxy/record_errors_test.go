package proxy

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llm-simulator/llm-simulator/internal/telemetry"
)

// flakyUpstream answers its first `failures` requests with a provider's
// 500, the rest with a chat answer; it counts what it got.
func flakyUpstream(t *testing.T, failures int64) *fakeUpstream {
	var n atomic.Int64
	return newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if i := n.Add(1); i <= failures {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`)
			return
		}
		fmt.Fprintf(w, `{"id":"chatcmpl-%d","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"answer %d","refusal":null},"logprobs":null,"finish_reason":"stop"}]}`, n.Load(), n.Load())
	})
}

// record keeps 2xx answers only: the upstream's 500 reaches the client
// and leaves no recording, unless the rule says record_errors.
func TestRecordKeepsErrorsOnlyWhenAsked(t *testing.T) {
	for _, c := range []struct {
		cassette string
		kept     int
	}{
		{"{}", 0},
		{"{record_errors: true}", 1},
	} {
		t.Run(c.cassette, func(t *testing.T) {
			dir := t.TempDir()
			up := flakyUpstream(t, 1)
			s := tape(t, up.URL, up.caFile(t), dir, "record", c.cassette)
			if status, _ := post(t, s.srv.URL+"/v1/chat/completions", sameQuestion, nil); status != 500 {
				t.Fatalf("the client got %d, want the upstream's 500", status)
			}
			if files := cassetteFiles(t, dir); len(files) != c.kept {
				t.Errorf("kept %v, want %d recordings", files, c.kept)
			}
		})
	}
}

// replay_or_record that finds a recorded error (kept by a record_errors
// rule) asks the upstream again, and the 2xx answer takes the error's
// place: from then on it is replayed, and the upstream is left alone.
func TestReplayOrRecordAsksAgainAfterARecordedError(t *testing.T) {
	dir := t.TempDir()
	up := flakyUpstream(t, 1)
	ca := up.caFile(t)
	rec := tape(t, up.URL, ca, dir, "record", "{record_errors: true}")
	if status, _ := post(t, rec.srv.URL+"/v1/chat/completions", sameQuestion, nil); status != 500 {
		t.Fatalf("recording: %d", status)
	}
	bad := cassetteFiles(t, dir)
	if len(bad) != 1 {
		t.Fatalf("recorded %v", bad)
	}

	s := tape(t, up.URL, ca, dir, "replay_or_record", "{timing: instant}", journaled)
	url := s.srv.URL + "/v1/chat/completions"
	if a := answerOf(t, rawPost(t, url, sameQuestion)); a != "answer 2" {
		t.Fatalf("first call: %q, want the upstream's second answer", a)
	}
	if up.hits.Load() != 2 {
		t.Fatalf("the upstream got %d requests, want 2: the recorded error was not asked again", up.hits.Load())
	}
	files := cassetteFiles(t, dir)
	if len(files) != 1 || files[0] == bad[0] {
		t.Fatalf("files %v: want the new answer in place of %s", files, bad[0])
	}
	if data, err := os.ReadFile(files[0]); err != nil || !strings.Contains(string(data), `"status": 200`) {
		t.Fatalf("%s: %v\n%s", files[0], err, data)
	}
	for range 2 {
		if a := answerOf(t, rawPost(t, url, sameQuestion)); a != "answer 2" {
			t.Fatalf("replayed %q, want the recorded answer 2", a)
		}
	}
	if up.hits.Load() != 2 {
		t.Errorf("the upstream got %d requests after the answer was recorded", up.hits.Load())
	}
	recs := s.front.Journal.Query(telemetry.Query{AnyScope: true})
	if len(recs) != 3 || recs[0].Source != "forwarded" || recs[1].Source != "replayed" || recs[2].Source != "replayed" {
		t.Errorf("journal %+v", recs)
	}
}

// With record_errors, replay_or_record replays a recorded error as it
// does any recording: the rule asked for errors on tape.
func TestReplayOrRecordReplaysErrorsItKeeps(t *testing.T) {
	dir := t.TempDir()
	up := flakyUpstream(t, 1)
	s := tape(t, up.URL, up.caFile(t), dir, "replay_or_record", "{timing: instant, record_errors: true}")
	for range 3 {
		if status, _ := post(t, s.srv.URL+"/v1/chat/completions", sameQuestion, nil); status != 500 {
			t.Fatalf("got %d, want the recorded 500", status)
		}
	}
	if up.hits.Load() != 1 {
		t.Errorf("the upstream got %d requests, want 1", up.hits.Load())
	}
}
