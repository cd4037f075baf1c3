package proxy

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A recording is kept only when the answer reached the client whole: a
// stream a fault cut short, an upstream that broke off, or an error the
// proxy gave in the upstream's place leave nothing behind.
func TestIncompleteAnswersAreNotRecorded(t *testing.T) {
	broken := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\n")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the upstream resets mid-stream
	})
	up := simUpstream(t, 0)
	for _, tc := range []struct {
		name, upstream, ca, cassette string
	}{
		{"truncated by a fault", up.URL, up.caFile(t), "{}\n    faults: [{stream: {truncate_after_events: 2}}]"},
		{"reset by a fault", up.URL, up.caFile(t), "{}\n    faults: [{stream: {reset_after_events: 2}}]"},
		{"upstream broke off", broken.URL, broken.caFile(t), "{}"},
		{"upstream unreachable", "https://127.0.0.1:1", up.caFile(t), "{}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := tape(t, tc.upstream, tc.ca, dir, "record", tc.cassette)
			resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(streamQuestion))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			// The proxy may still be unwinding when the client sees the end.
			waitFor(t, func() bool { return s.front.Cassettes.Stats().Dropped == 1 })
			if files := cassetteFiles(t, dir); len(files) != 0 || s.front.Cassettes.Stats().Committed != 0 {
				t.Fatalf("kept %v", files)
			}
		})
	}
}

// A client that leaves mid-stream leaves no recording.
func TestClientGoneDropsRecording(t *testing.T) {
	dir := t.TempDir()
	up := simUpstream(t, 50*time.Millisecond)
	s := tape(t, up.URL, up.caFile(t), dir, "record", "{}")
	resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(streamQuestion))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, func() bool { return s.front.Cassettes.Stats().Dropped == 1 })
	if files := cassetteFiles(t, dir); len(files) != 0 {
		t.Fatalf("kept %v", files)
	}
}

// Faults act on replayed answers as on any other; an error fault that
// answers in the recording's place does not use the recording up.
func TestFaultsOnReplayedAnswers(t *testing.T) {
	dir, ca := recordThrice(t)
	rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{timing: instant}\n    faults: [{error: {status: 503, times: 1}}]")
	url := rep.srv.URL + "/v1/chat/completions"
	if status, _ := post(t, url, sameQuestion, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("first call %d, want the fault's 503", status)
	}
	if a := answerOf(t, rawPost(t, url, sameQuestion)); a != "answer 1" {
		t.Fatalf("after the fault: %q, want the first recording", a)
	}

	sdir, sca := recordStream(t, 0)
	cut := tape(t, "https://127.0.0.1:1", sca, sdir, "replay", "{timing: instant}\n    faults: [{stream: {truncate_after_events: 2}}]")
	body := rawPost(t, cut.srv.URL+"/v1/chat/completions", streamQuestion)
	if n := strings.Count(body, "data:"); n != 2 || strings.Contains(body, "[DONE]") {
		t.Fatalf("truncated replay sent %d events:\n%s", n, body)
	}
}
