package cassette

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// A response cut short is dropped: no file, Dropped counted, and Commit
// says why.
func TestIncompleteRecordingDropped(t *testing.T) {
	cases := map[string][]wire.Event{
		"no end":  chatStream(3, "w")[:4],
		"no head": chatStream(3, "w")[1:],
		"nothing": nil,
	}
	for name, evs := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var log logLines
			s := open(t, Options{Dir: dir, Log: log.logger().Level(-1)})
			rec := s.Record(chat("gpt-4o", "hi", true), t0, RecordOptions{})
			for i, ev := range evs {
				rec.Observe(ev, offsetTime(i))
			}
			if _, err := rec.Commit(); !errors.Is(err, ErrIncomplete) {
				t.Errorf("Commit: %v, want ErrIncomplete", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("wrote %v", entries)
			}
			if st := s.Stats(); st.Dropped != 1 || st.Committed != 0 || st.Recordings != 0 {
				t.Errorf("stats %+v", st)
			}
			if n := len(log.lines("debug")); n != 1 {
				t.Errorf("%d debug lines, want 1", n)
			}
		})
	}
}

// Commit and Discard end a recording once; whatever follows does nothing.
func TestCommitDiscardOnce(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir()})
	rec := s.Record(chat("gpt-4o", "hi", false), t0, RecordOptions{})
	for i, ev := range plainBody("x") {
		rec.Observe(ev, offsetTime(i))
	}
	file, err := rec.Commit()
	if err != nil {
		t.Fatal(err)
	}
	rec.Discard("late")
	if again, err := rec.Commit(); again != file || err != nil {
		t.Errorf("second Commit = %q, %v; want %q", again, err, file)
	}

	rec = s.Record(chat("gpt-4o", "bye", false), t0, RecordOptions{})
	rec.Discard("client went away")
	rec.Discard("twice")
	if _, err := rec.Commit(); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Commit after Discard: %v", err)
	}
	if st := s.Stats(); st.Committed != 1 || st.Dropped != 1 || st.Recordings != 1 {
		t.Errorf("stats %+v: want one committed, one dropped", st)
	}
}

// No secret from the request or the response reaches a file.
func TestNoSecretOnDisk(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir, KeyHeaders: []string{"X-Test-Id", "X-Api-Key"}})
	secrets := []string{"sk-SECRET-bearer", "SECRET-x-api-key", "SECRET-azure", "SECRET-cookie",
		"SECRET-set-cookie", "org-SECRET", "SECRET-query", "SECRET-token", "SECRET-proxy"}
	r := chat("gpt-4o", "hi", true)
	r.Cassette = "suite"
	r.Query = "api-version=2024-10-21&key=SECRET-query&access_token=SECRET-token"
	r.Header = http.Header{
		"Authorization": {"Bearer sk-SECRET-bearer"},
		"X-Api-Key":     {"SECRET-x-api-key"},
		"Api-Key":       {"SECRET-azure"},
		"Cookie":        {"session=SECRET-cookie"},
		"X-Test-Id":     {"test-1"},
	}
	evs := chatStream(2, "w")
	evs[0].Header = http.Header{
		"Content-Type":        {"text/event-stream"},
		"Set-Cookie":          {"__cf_bm=SECRET-set-cookie"},
		"Openai-Organization": {"org-SECRET"},
		"Proxy-Authenticate":  {"Basic SECRET-proxy"},
	}
	file := record(t, s, r, evs)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		for _, secret := range secrets {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %s:\n%s", path, secret, data)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The secrets were never part of the key: the same request replays,
	// with other credentials too.
	r.Header.Set("Authorization", "Bearer sk-other")
	r.Query = "key=other&api-version=2024-10-21"
	if got := replay(t, open(t, Options{Dir: dir, KeyHeaders: []string{"X-Test-Id"}}), r, "", RepeatLast); got.File != file {
		t.Errorf("replayed %s, want %s", got.File, file)
	}
}

// Concurrent commits of the same request each get their own file, and
// all replay.
func TestConcurrentCommits(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	r := chat("gpt-4o", "hi", false)
	const n = 16
	files := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rec := s.Record(r, t0, RecordOptions{})
			for j, ev := range plainBody(fmt.Sprintf("answer %d", i)) {
				rec.Observe(ev, offsetTime(j))
			}
			var err error
			if files[i], err = rec.Commit(); err != nil {
				t.Error(err) // not Fatal: this is not the test's goroutine
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			t.Errorf("two commits wrote %s", f)
		}
		seen[f] = true
	}
	for _, s := range []*Store{s, open(t, Options{Dir: dir})} {
		replayed := map[string]bool{}
		for range n {
			replayed[replay(t, s, r, "", RepeatLast).File] = true
		}
		if len(replayed) != n {
			t.Errorf("%d distinct recordings replayed, want %d", len(replayed), n)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != n {
		t.Errorf("%d files in the cassette, want %d (no temporary file left)", len(entries), n)
	}
}

// Without hard links a commit still takes the next free name.
func TestPublishWithoutLinks(t *testing.T) {
	link = func(string, string) error { return errors.ErrUnsupported }
	t.Cleanup(func() { link = os.Link })
	s := open(t, Options{Dir: t.TempDir()})
	r := chat("gpt-4o", "hi", false)
	var files []string
	for i := range 3 {
		files = append(files, filepath.Base(record(t, s, r, plainBody(fmt.Sprint(i)))))
	}
	for i, f := range files {
		if !strings.HasSuffix(f, fmt.Sprintf("-%d.json", i+1)) {
			t.Errorf("recording %d is %s", i+1, f)
		}
	}
	entries, _ := os.ReadDir(s.Dir())
	if len(entries) != 3 {
		t.Errorf("%d files, want 3", len(entries))
	}
}
