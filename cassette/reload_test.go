package cassette

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Reload picks up a recording added by hand and keeps each scope's place
// and the counters.
func TestReloadKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir}
	s := open(t, o)
	r := chat("gpt-4o", "hi", false)
	file := record(t, s, r, plainBody("first"))
	if got := answerOf(replay(t, s, r, "", RepeatLast)); got != "first" {
		t.Fatalf("replayed %s", got)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	second := strings.Replace(string(data), "first", "second", 1)
	second = regexp.MustCompile(`"recorded_at": "[^"]*"`).ReplaceAllString(second, `"recorded_at": "2099-01-01T00:00:00Z"`)
	if err := os.WriteFile(filepath.Join(dir, "added-by-hand.json"), []byte(second), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(o); err != nil {
		t.Fatal(err)
	}
	if got := answerOf(replay(t, s, r, "", RepeatLast)); got != "second" {
		t.Errorf("after Reload the second call replayed %s, want second", got)
	}
	if st := s.Stats(); st.Recordings != 2 || st.Hits != 2 || st.Committed != 1 {
		t.Errorf("stats %+v: want 2 recordings, 2 hits, 1 committed", st)
	}
}

// Reload applies new key options to the recordings already on disk.
func TestReloadRekeys(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	recorded := &Request{Method: "POST", Provider: "openai", Path: "/v1/chat/completions",
		Body: []byte(`{"model":"gpt-4o","seed":1}`)}
	record(t, s, recorded, plainBody("x"))
	asked := &Request{Method: "POST", Provider: "openai", Path: "/v1/chat/completions",
		Body: []byte(`{"model":"gpt-4o","seed":2}`)}
	if _, miss, _ := s.Replay(asked, "", RepeatLast); miss == nil {
		t.Fatal("a different seed hit")
	}
	if err := s.Reload(Options{Dir: dir, Ignore: []string{"seed"}}); err != nil {
		t.Fatal(err)
	}
	replay(t, s, asked, "", RepeatLast)
}

// A Reload that fails leaves the store as it was.
func TestReloadFailureKeepsStore(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	r := chat("gpt-4o", "hi", false)
	record(t, s, r, plainBody("x"))
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o644)
	if err := s.Reload(Options{Dir: notDir}); err == nil {
		t.Fatal("Reload onto a file succeeded")
	}
	if s.Dir() != dir {
		t.Errorf("Dir() = %s, want %s", s.Dir(), dir)
	}
	replay(t, s, r, "", RepeatLast)
	if st := s.Stats(); st.Recordings != 1 || st.CachedEntries != 1 {
		t.Errorf("stats %+v", st)
	}
}
