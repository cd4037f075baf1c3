package cassette

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// numbered is the ith of a set of distinct requests of the same shape.
func numbered(i int) *Request { return chat("gpt-4o", fmt.Sprintf("question %02d", i), false) }

// sizeOfOne is what the cache counts for one of numbered's recordings.
func sizeOfOne(t *testing.T) int64 {
	s := open(t, Options{Dir: t.TempDir()})
	record(t, s, numbered(0), plainBody("answer 00"))
	return s.Stats().CachedBytes
}

// The byte bound holds at every step: evictions make room, and an
// evicted recording is read back from its file as a hit, never a miss.
func TestCacheByteBound(t *testing.T) {
	size := sizeOfOne(t)
	maxBytes := size*5/2 + 1 // room for two
	dir := t.TempDir()
	s := open(t, Options{Dir: dir, Entries: 100, MaxBytes: maxBytes})
	check := func(when string) {
		t.Helper()
		if st := s.Stats(); st.CachedBytes > maxBytes || st.CachedEntries > 2 {
			t.Fatalf("%s: %d bodies, %d bytes cached; bound %d bytes", when, st.CachedEntries, st.CachedBytes, maxBytes)
		}
	}
	for i := range 10 {
		record(t, s, numbered(i), plainBody(fmt.Sprintf("answer %02d", i)))
		check(fmt.Sprintf("after commit %d", i))
	}
	for round := range 2 {
		for i := range 10 {
			got := replay(t, s, numbered(i), "", RepeatLast)
			if want := fmt.Sprintf("answer %02d", i); !strings.Contains(text(got), want) {
				t.Fatalf("request %d replayed %q", i, text(got))
			}
			check(fmt.Sprintf("after replay %d.%d", round, i))
		}
	}
	st := s.Stats()
	if st.Hits != 20 || st.Misses != 0 || st.Evictions < 8 || st.DiskReads < 10 {
		t.Errorf("stats %+v: want 20 hits, no miss, evictions and disk reads", st)
	}
	if st.CachedEntries != 2 {
		t.Errorf("%d bodies cached, want 2", st.CachedEntries)
	}

	// Loading fills the cache while it has room, and evicts nothing.
	st = open(t, Options{Dir: dir, Entries: 100, MaxBytes: maxBytes}).Stats()
	if st.CachedEntries != 2 || st.Evictions != 0 || st.Recordings != 10 {
		t.Errorf("after load %+v: want 2 cached of 10, no eviction", st)
	}
}

func TestCacheCountBound(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir(), Entries: 3})
	for i := range 6 {
		record(t, s, numbered(i), plainBody("a"))
	}
	if st := s.Stats(); st.CachedEntries != 3 || st.Evictions != 3 {
		t.Errorf("%d cached, %d evictions; want 3, 3", st.CachedEntries, st.Evictions)
	}
	for i := range 6 {
		replay(t, s, numbered(i), "", RepeatLast)
	}
	if st := s.Stats(); st.CachedEntries != 3 || st.Hits != 6 {
		t.Errorf("%d cached, %d hits; want 3, 6", st.CachedEntries, st.Hits)
	}
}

// A recording larger than the whole cache is served from its file each
// time; a negative bound turns the cache off.
func TestUncachedRecordings(t *testing.T) {
	for _, o := range []Options{{MaxBytes: 100}, {MaxBytes: -1}, {Entries: -1}} {
		t.Run(fmt.Sprintf("entries %d, max bytes %d", o.Entries, o.MaxBytes), func(t *testing.T) {
			o.Dir = t.TempDir()
			s := open(t, o)
			r := chat("gpt-4o", "hi", true)
			record(t, s, r, chatStream(3, "w"))
			for range 2 {
				replay(t, s, r, "", RepeatLast)
			}
			if st := s.Stats(); st.CachedEntries != 0 || st.CachedBytes != 0 || st.DiskReads != 2 || st.Hits != 2 {
				t.Errorf("stats %+v: want nothing cached, two disk reads, two hits", st)
			}
		})
	}
}

// A recording whose file vanished or changed since it was indexed is an
// error naming the file, not a miss.
func TestReadBackFailure(t *testing.T) {
	cases := map[string]func(file string) error{
		"removed":   os.Remove,
		"corrupted": func(file string) error { return os.WriteFile(file, []byte("{"), 0o644) },
		"replaced": func(file string) error {
			data, err := os.ReadFile(file)
			if err == nil {
				data = []byte(strings.Replace(string(data), `"hi"`, `"bye"`, 1))
				err = os.WriteFile(file, data, 0o644)
			}
			return err
		},
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			s := open(t, Options{Dir: t.TempDir(), Entries: -1})
			r := chat("gpt-4o", "hi", false)
			file := record(t, s, r, plainBody("x"))
			if err := spoil(file); err != nil {
				t.Fatal(err)
			}
			rec, miss, err := s.Replay(r, "", RepeatLast)
			if err == nil || !strings.Contains(err.Error(), file) || rec != nil || miss != nil {
				t.Errorf("Replay = %v, %v, %v; want an error naming %s", rec, miss, err, file)
			}
			if st := s.Stats(); st.Misses != 0 {
				t.Errorf("counted %d misses", st.Misses)
			}
		})
	}
}

// The least recently replayed body goes first.
func TestCacheEvictsLeastRecent(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir(), Entries: 3})
	for i := range 3 {
		record(t, s, numbered(i), plainBody("a"))
	}
	replay(t, s, numbered(0), "", RepeatLast) // 1 is now the least recent
	record(t, s, numbered(3), plainBody("a"))
	for _, i := range []int{0, 2, 3} {
		replay(t, s, numbered(i), "", RepeatLast)
	}
	if st := s.Stats(); st.DiskReads != 0 {
		t.Errorf("%d disk reads: a recently replayed body was evicted", st.DiskReads)
	}
	replay(t, s, numbered(1), "", RepeatLast)
	if st := s.Stats(); st.DiskReads != 1 {
		t.Errorf("%d disk reads, want 1: recording 1 should have been evicted", st.DiskReads)
	}
}

// Replays, commits and reloads at once, with a cache small enough to
// evict all the time: every recorded request still hits (run with -race).
func TestConcurrentReplayCommitReload(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, Entries: 2}
	s := open(t, o)
	for i := range 4 {
		record(t, s, numbered(i), plainBody("a"))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				r := numbered(i % 4)
				if _, miss, err := s.Replay(r, fmt.Sprint(g), Wrap); miss != nil || err != nil {
					t.Errorf("replay: %v %v", miss, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 10 {
			rec := s.Record(numbered(100+i), t0, RecordOptions{})
			for j, ev := range plainBody("b") {
				rec.Observe(ev, offsetTime(j))
			}
			if _, err := rec.Commit(); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() {
		for range 5 {
			if err := s.Reload(o); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if st := s.Stats(); st.Recordings != 14 || st.CachedEntries > 2 {
		t.Errorf("stats %+v: want 14 recordings, at most 2 cached", st)
	}
}
