package cassette

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Recordings exported from one store and imported into another, named
// cassettes included, replay there; importing again adds nothing.
func TestExportImportRoundTrip(t *testing.T) {
	src := open(t, Options{Dir: t.TempDir(), Now: ticking()})
	record(t, src, chat("gpt-4o", "root", false), plainBody("from the root"))
	named := chat("gpt-4o", "named", true)
	named.Cassette = "suite/a"
	record(t, src, named, chatStream(3, "named"))

	var archive bytes.Buffer
	if n, err := src.Export(&archive); err != nil || n != 2 {
		t.Fatalf("exported %d: %v", n, err)
	}
	dst := open(t, Options{Dir: t.TempDir()})
	added, skipped, err := dst.Import(bytes.NewReader(archive.Bytes()))
	if err != nil || added != 2 || skipped != 0 {
		t.Fatalf("imported %d, skipped %d: %v", added, skipped, err)
	}
	if got := text(replay(t, dst, chat("gpt-4o", "root", false), "", RepeatLast)); !strings.Contains(got, "from the root") {
		t.Fatalf("root recording replays %q", got)
	}
	if got := text(replay(t, dst, named, "", RepeatLast)); !strings.Contains(got, "named 2") {
		t.Fatalf("named recording replays %q", got)
	}
	added, skipped, err = dst.Import(bytes.NewReader(archive.Bytes()))
	if err != nil || added != 0 || skipped != 2 || dst.Stats().Recordings != 2 {
		t.Fatalf("second import added %d, skipped %d (%v); %d recordings", added, skipped, err, dst.Stats().Recordings)
	}
}

// An archive with anything but recordings under cassette paths is refused
// whole: nothing of it is written.
func TestImportRefusesBadArchives(t *testing.T) {
	good := mustRecordingFile(t)
	for name, entries := range map[string]map[string][]byte{
		"escape":      {"ok.json": good, "../evil.json": good},
		"absolute":    {"/etc/evil.json": good},
		"not json":    {"notes.txt": []byte("hello")},
		"not a file":  {"broken.json": []byte("{")},
		"hidden name": {".x.json": good},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, Options{Dir: dir})
			if _, _, err := s.Import(bytes.NewReader(tarGz(t, entries))); err == nil {
				t.Fatal("imported")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
				t.Fatalf("wrote %v", left)
			}
		})
	}
}

// Purge empties the body cache, and with recordings deletes the files.
func TestPurge(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir, Now: ticking()})
	record(t, s, chat("gpt-4o", "a", false), plainBody("a"))
	if n, err := s.Purge(false); err != nil || n != 0 || s.Stats().Recordings != 1 {
		t.Fatalf("purge of the cache: %d, %v, %+v", n, err, s.Stats())
	}
	replay(t, s, chat("gpt-4o", "a", false), "", RepeatLast)
	if n, err := s.Purge(true); err != nil || n != 1 || s.Stats().Recordings != 0 {
		t.Fatalf("purge of the recordings: %d, %v, %+v", n, err, s.Stats())
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != 0 {
		t.Fatalf("left %v", files)
	}
}

func mustRecordingFile(t *testing.T) []byte {
	t.Helper()
	s := open(t, Options{Dir: t.TempDir(), Now: ticking()})
	data, err := os.ReadFile(record(t, s, chat("gpt-4o", "x", false), plainBody("x")))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func tarGz(t *testing.T, entries map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for name, data := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	tw.Close()
	gz.Close()
	return b.Bytes()
}
