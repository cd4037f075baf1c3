package cassette

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Files that cannot be loaded are skipped, each with one warning naming
// it, and the rest load.
func TestLoadSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := record(t, open(t, Options{Dir: dir}), chat("gpt-4o", "hi", true), chatStream(3, "w"))
	named := chat("gpt-4o", "hi", false)
	named.Cassette = "suite"
	record(t, open(t, Options{Dir: dir}), named, plainBody("x"))
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(path string) error{
		"bad-json.json": func(p string) error { return os.WriteFile(p, []byte("{not json"), 0o644) },
		"version.json": func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(string(data), `"version": 1`, `"version": 2`, 1)), 0o644)
		},
		"truncated.json":         func(p string) error { return os.WriteFile(p, data[:len(data)/2], 0o644) },
		"dir.json":               func(p string) error { return os.Mkdir(p, 0o755) },
		"dangling.json":          func(p string) error { return os.Symlink(filepath.Join(dir, "nowhere"), p) },
		"fifo.json":              mkfifo,
		"suite/unknown-key.json": func(p string) error { return os.WriteFile(p, []byte(`{"version":1,"bogus":true}`), 0o644) },
		"bad-sse.json": func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(string(data), `data: [DONE]\n\n`, `data: [DONE]`, 1)), 0o644)
		},
	}
	if os.Geteuid() != 0 { // root reads a 0000 file anyway
		bad["unreadable.json"] = func(p string) error {
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
			return os.Chmod(p, 0)
		}
	}
	for name, make := range bad {
		if err := make(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Not recordings: passed over in silence.
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# cassettes"), 0o644)
	os.WriteFile(filepath.Join(dir, ".recording-123.tmp"), data[:10], 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.json"), data[:10], 0o644)

	var log logLines
	s := open(t, Options{Dir: dir, Log: log.logger()})
	warnings := log.lines("warn")
	if len(warnings) != len(bad) {
		t.Errorf("%d warnings for %d bad files:\n%s", len(warnings), len(bad), strings.Join(warnings, ""))
	}
	for name := range bad {
		n := 0
		for _, w := range warnings {
			if strings.Contains(w, filepath.Join(dir, name)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s named in %d warnings, want 1", name, n)
		}
	}
	if st := s.Stats(); st.Skipped != uint64(len(bad)) || st.Recordings != 2 {
		t.Errorf("Skipped, Recordings = %d, %d; want %d, 2", st.Skipped, st.Recordings, len(bad))
	}
	replay(t, s, chat("gpt-4o", "hi", true), "", RepeatLast)
	replay(t, s, named, "", RepeatLast)
}

// A missing directory is an empty store and is not created until a
// recording needs it.
func TestOpenMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cassettes", "deep")
	s := open(t, Options{Dir: dir})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Open created %s", dir)
	}
	_, miss, err := s.Replay(chat("gpt-4o", "hi", false), "", RepeatLast)
	if err != nil || miss == nil {
		t.Fatalf("Replay = %v, %v; want a miss", miss, err)
	}
	record(t, s, chat("gpt-4o", "hi", false), plainBody("x"))
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("after a commit: %v, %v; want a 0755 directory", info, err)
	}
}

func TestOpenNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := Open(Options{Dir: file}); err == nil {
		t.Error("Open on a file succeeded")
	}
}

// Without a directory nothing replays and nothing is recorded.
func TestNoDir(t *testing.T) {
	s := open(t, Options{})
	rec := s.Record(chat("gpt-4o", "hi", false), t0, RecordOptions{})
	for i, ev := range plainBody("x") {
		rec.Observe(ev, offsetTime(i))
	}
	if _, err := rec.Commit(); err == nil {
		t.Error("Commit without a directory succeeded")
	}
}

// Files added or edited by hand load like recorded ones: lower-case
// header names, a body kept as text, any key written or none.
func TestHandWrittenFile(t *testing.T) {
	dir := t.TempDir()
	file := `{
  "version": 1,
  "recorded_at": "2026-03-01T12:00:00Z",
  "request": {"method": "POST", "provider": "openai", "path": "/v1/embeddings",
    "body": {"input": "hi", "model": "text-embedding-3-small"}},
  "response": {"status": 200, "headers": {"content-type": ["application/json"]}, "head_ms": 12.5,
    "chunks": [{"ms": 13, "text": "{\"data\":[]}"}], "end_ms": 13.25}
}`
	os.WriteFile(filepath.Join(dir, "embeddings.json"), []byte(file), 0o644)
	s := open(t, Options{Dir: dir})
	r := &Request{Method: "POST", Provider: "openai", Path: "/v1/embeddings",
		Body: []byte(`{"model":"text-embedding-3-small","input":"hi"}`)}
	rec := replay(t, s, r, "", RepeatLast)
	if rec.Header.Get("Content-Type") != "application/json" || text(rec) != `{"data":[]}` ||
		rec.HeadAt.Microseconds() != 12500 || rec.EndAt.Microseconds() != 13250 {
		t.Errorf("replayed %+v", rec)
	}
}
