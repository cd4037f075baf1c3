package cassette

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordThree records three answers to the same request: "first",
// "second", "third".
func recordThree(t *testing.T, s *Store, r *Request) {
	t.Helper()
	for _, answer := range []string{"first", "second", "third"} {
		record(t, s, r, plainBody(answer))
	}
}

func TestReplayOrder(t *testing.T) {
	cases := []struct {
		after AfterLast
		want  string
	}{
		{RepeatLast, "first second third third third"},
		{Wrap, "first second third first second"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			dir := t.TempDir()
			r := chat("gpt-4o", "hi", false)
			recordThree(t, open(t, Options{Dir: dir, Now: ticking()}), r)
			s := open(t, Options{Dir: dir}) // the order comes from the files
			var got []string
			for range 5 {
				got = append(got, answerOf(replay(t, s, r, "", c.after)))
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("replayed %v, want %s", got, c.want)
			}
		})
	}
}

// answerOf is which of recordThree's answers rec is.
func answerOf(rec *Recording) string {
	body := text(rec)
	for _, a := range []string{"first", "second", "third"} {
		if strings.Contains(body, a) {
			return a
		}
	}
	return body
}

// Each scope steps through the recordings on its own, so parallel tests
// do not take each other's; a reset starts a scope over; a miss does not
// move anything.
func TestReplayOrderPerScope(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir(), Now: ticking()})
	r := chat("gpt-4o", "hi", false)
	recordThree(t, s, r)
	next := func(scope string) string { return answerOf(replay(t, s, r, scope, RepeatLast)) }
	steps := []struct {
		scope, want string
	}{
		{"a", "first"}, {"b", "first"}, {"a", "second"}, {"", "first"}, {"b", "second"}, {"a", "third"},
	}
	for i, step := range steps {
		if got := next(step.scope); got != step.want {
			t.Fatalf("step %d, scope %q: got %s, want %s", i, step.scope, got, step.want)
		}
	}
	if _, miss, _ := s.Replay(chat("gpt-4o", "other", false), "b", RepeatLast); miss == nil {
		t.Fatal("an unrecorded request hit")
	}
	if got := next("b"); got != "third" {
		t.Errorf("after a miss scope b got %s, want third", got)
	}
	s.ResetScope("a")
	if got := next("a"); got != "first" {
		t.Errorf("after ResetScope scope a got %s, want first", got)
	}
	if got := next(""); got != "second" {
		t.Errorf("ResetScope(a) moved the default scope: got %s", got)
	}
	s.ResetAll()
	if got := next(""); got != "first" {
		t.Errorf("after ResetAll got %s, want first", got)
	}
}

// Named cassettes are subdirectories and see only their own recordings;
// each keeps its own order.
func TestCassettesAreSeparate(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	r := chat("gpt-4o", "hi", false)
	for _, name := range []string{"suite-a", "suite/test-1"} {
		named := *r
		named.Cassette = name
		file := record(t, s, &named, plainBody("from "+name))
		if want := filepath.Join(dir, filepath.FromSlash(name)); filepath.Dir(file) != want {
			t.Errorf("cassette %s recorded in %s, want %s", name, filepath.Dir(file), want)
		}
	}
	if _, miss, _ := s.Replay(r, "", RepeatLast); miss == nil {
		t.Error("the root cassette replayed a named cassette's recording")
	}
	s = open(t, Options{Dir: dir})
	for _, name := range []string{"suite-a", "suite/test-1"} {
		named := *r
		named.Cassette = name
		if got := text(replay(t, s, &named, "", RepeatLast)); !strings.Contains(got, "from "+name) {
			t.Errorf("cassette %s replayed %q", name, got)
		}
	}
	if st := s.Stats(); st.Cassettes != 2 || st.Recordings != 2 {
		t.Errorf("Cassettes, Recordings = %d, %d; want 2, 2", st.Cassettes, st.Recordings)
	}
}

// A name that would leave the root is refused, and nothing is written.
func TestRecordRefusesBadCassette(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: filepath.Join(dir, "root")})
	r := chat("gpt-4o", "hi", false)
	r.Cassette = "../escape"
	rec := s.Record(r, t0, RecordOptions{})
	for i, ev := range plainBody("x") {
		rec.Observe(ev, offsetTime(i))
	}
	if _, err := rec.Commit(); err == nil {
		t.Fatal("Commit into ../escape succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %v", entries)
	}
}

// Idle scopes start over from the first recording; the unscoped order and
// other scopes keep their place.
func TestForgetScopesStartsIdleScopesOver(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir(), Now: ticking()})
	r := chat("gpt-4o", "hi", false)
	recordThree(t, s, r)
	next := func(scope string) string { return answerOf(replay(t, s, r, scope, RepeatLast)) }
	for _, scope := range []string{"", "idle", "live"} {
		next(scope)
	}
	s.ForgetScopes(func(sc string) bool { return sc != "live" })
	if got := next("idle"); got != "first" {
		t.Errorf("idle scope: %s, want first", got)
	}
	if got := next("live"); got != "second" {
		t.Errorf("live scope: %s, want second", got)
	}
	if got := next(""); got != "second" {
		t.Errorf("the unscoped order was forgotten: %s", got)
	}
}
