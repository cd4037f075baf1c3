package cassette

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// loaded is a scan's result, ready to be swapped into a Store.
type loaded struct {
	idx     *index
	cache   *bodyCache
	skipped int
}

// fileRef is a recording file found by the scan, and its cassette.
type fileRef struct {
	path, cassette string
}

// scan reads every cassette under st.dir into a new index, filling a new
// cache while it has room. A missing directory is an empty store; one that
// cannot be read is an error. A file that cannot be loaded is skipped with
// one log line.
func scan(st *settings, evictions *atomic.Uint64) (*loaded, error) {
	l := &loaded{idx: newIndex(), cache: newBodyCache(st, evictions)}
	if st.dir == "" {
		return l, nil
	}
	info, err := os.Stat(st.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return l, nil
	case err != nil:
		return nil, fmt.Errorf("cassette: %w", err)
	case !info.IsDir():
		return nil, fmt.Errorf("cassette: %s is not a directory", st.dir)
	}
	files, err := l.list(st)
	if err != nil {
		return nil, fmt.Errorf("cassette: %w", err)
	}
	entries := make([]*entry, len(files))
	errs := make([]error, len(files))
	parallel(len(files), func(i int) {
		entries[i], errs[i] = loadFile(files[i], st, l.cache)
	})
	for i, err := range errs {
		if err != nil {
			l.skip(st, files[i].path, err)
		}
	}
	entries = slices.DeleteFunc(entries, func(e *entry) bool { return e == nil })
	slices.SortFunc(entries, func(a, b *entry) int {
		if a.before(b) {
			return -1
		}
		return 1
	})
	for _, e := range entries {
		l.idx.add(e)
	}
	return l, nil
}

func (l *loaded) skip(st *settings, path string, err error) {
	l.skipped++
	st.log.Warn().Str("file", path).Str("reason", err.Error()).Msg("recording skipped")
}

// list finds the recording files: names ending in .json, in the root and
// in subdirectories whose path is a valid cassette name. Temporary files
// start with a dot and are passed over.
func (l *loaded) list(st *settings) ([]fileRef, error) {
	var files []fileRef
	err := filepath.WalkDir(st.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == st.dir {
				return err
			}
			l.skip(st, path, err)
			return nil
		}
		if path == st.dir {
			return nil
		}
		rel, _ := filepath.Rel(st.dir, path)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		switch {
		case d.IsDir() && strings.HasSuffix(name, ".json"):
			l.skip(st, path, errors.New("a directory, not a file"))
			return fs.SkipDir
		case d.IsDir() && ValidName(rel) != nil:
			st.log.Debug().Str("dir", path).Msg("not a cassette name; passed over")
			return fs.SkipDir
		case d.IsDir(), !strings.HasSuffix(name, ".json"), strings.HasPrefix(name, "."):
			return nil
		case !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0:
			l.skip(st, path, errors.New("not a regular file")) // reading a FIFO would block the load
			return nil
		}
		cassette := filepath.ToSlash(filepath.Dir(rel))
		if cassette == "." {
			cassette = ""
		}
		files = append(files, fileRef{path: path, cassette: cassette})
		return nil
	})
	return files, err
}

// loadFile reads one recording file and indexes it, caching its body if
// the cache has room.
func loadFile(f fileRef, st *settings, cache *bodyCache) (*entry, error) {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return nil, err
	}
	s, err := decodeFile(f.path, data)
	if err != nil {
		return nil, err
	}
	e := newEntry(f.cassette, f.path, int64(len(data)), s, st)
	cache.addIfRoom(e, s.rec)
	return e, nil
}

// newEntry indexes a decoded recording, its key computed afresh with the
// current options.
func newEntry(cassette, path string, size int64, s *stored, st *settings) *entry {
	key, stream := st.keyer.key(&s.req)
	return &entry{
		cassette:   cassette,
		file:       path,
		key:        key,
		recordedAt: s.recordedAt,
		size:       size,
		method:     s.req.Method,
		provider:   s.req.Provider,
		path:       s.req.Path,
		stream:     stream,
		prints:     printRequest(&s.req, st.ignore, st.keyer.headers),
	}
}

// readBack reads an indexed recording's file again, after its body left
// the cache. The file must still hold the request it was indexed for.
func readBack(e *entry, st *settings) (*stored, error) {
	data, err := os.ReadFile(e.file)
	if err != nil {
		return nil, fmt.Errorf("cassette: read back: %w", err)
	}
	s, err := decodeFile(e.file, data)
	if err != nil {
		return nil, fmt.Errorf("cassette: read back %s: %w", e.file, err)
	}
	if key, _ := st.keyer.key(&s.req); key != e.key {
		return nil, fmt.Errorf("cassette: read back %s: the file changed since it was loaded", e.file)
	}
	return s, nil
}

// parallel runs fn(0) … fn(n-1) on as many goroutines as there are CPUs:
// decoding is most of a large cassette's load time.
func parallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
