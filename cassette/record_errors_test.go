package cassette

import (
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// errorBody is a provider's error answer, status first.
func errorBody(status int) []wire.Event {
	return []wire.Event{
		{Kind: wire.Head, Status: status, Header: http.Header{"Content-Type": {"application/json"}}},
		{Kind: wire.Chunk, Data: []byte(`{"error":{"message":"try again","type":"server_error"}}`)},
		{Kind: wire.End},
	}
}

// An error answer is dropped unless the options keep errors: a 500 seen
// once must not be replayed for ever. Every 2xx is kept.
func TestErrorAnswersKeptOnlyWhenAsked(t *testing.T) {
	for _, c := range []struct {
		status int
		errors bool
		kept   bool
	}{
		{200, false, true}, {201, false, true}, {500, false, false}, {429, false, false}, {304, false, false},
		{500, true, true}, {429, true, true},
	} {
		dir := t.TempDir()
		s := open(t, Options{Dir: dir})
		file, err := commitAnswer(s, chat("gpt-4o", "hi", false), errorBody(c.status), RecordOptions{Errors: c.errors})
		files, _ := os.ReadDir(dir)
		switch {
		case c.kept && (err != nil || file == "" || len(files) != 1):
			t.Errorf("%d (errors %v): Commit %q, %v; files %v", c.status, c.errors, file, err, files)
		case !c.kept && (!errors.Is(err, ErrNotKept) || len(files) != 0 || s.Stats().Dropped != 1):
			t.Errorf("%d (errors %v): Commit %q, %v (want ErrNotKept); files %v; stats %+v", c.status, c.errors, file, err, files, s.Stats())
		}
	}
}

// A recording that replaces an error answer takes it off the disk, out of
// the index and the cache: the key replays the new answer from then on,
// in this store and in one loaded afresh.
func TestRecordingReplacesAnError(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	req := chat("gpt-4o", "hi", false)
	bad := recordWith(t, s, req, errorBody(500), RecordOptions{Errors: true})
	hit := replay(t, s, req, "", RepeatLast)
	if hit.Status != 500 || hit.File != bad {
		t.Fatalf("replayed %d from %s", hit.Status, hit.File)
	}
	good := recordWith(t, s, req, plainBody("fine"), RecordOptions{Replaces: hit})
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("the error's file is still there: %v", err)
	}
	for _, store := range []*Store{s, open(t, Options{Dir: dir})} {
		for range 2 {
			if got := replay(t, store, req, "", RepeatLast); got.Status != 200 || got.File != good {
				t.Errorf("replayed %d from %s, want 200 from %s", got.Status, got.File, good)
			}
		}
		if st := store.Stats(); st.Recordings != 1 {
			t.Errorf("stats %+v: want the one recording", st)
		}
	}
	if st := s.Stats(); st.CachedEntries != 1 || st.Evictions != 0 {
		t.Errorf("cache %+v: want the new body only, and no eviction counted", st)
	}
}

// An answer that is an error again replaces nothing: the old error stays
// until a 2xx takes its place.
func TestErrorAgainReplacesNothing(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	req := chat("gpt-4o", "hi", false)
	bad := recordWith(t, s, req, errorBody(503), RecordOptions{Errors: true})
	hit := replay(t, s, req, "", RepeatLast)
	if _, err := commitAnswer(s, req, errorBody(500), RecordOptions{Replaces: hit}); !errors.Is(err, ErrNotKept) {
		t.Fatalf("Commit: %v", err)
	}
	if got := replay(t, s, req, "", RepeatLast); got.File != bad {
		t.Errorf("replayed %s, want the old error %s", got.File, bad)
	}
}
