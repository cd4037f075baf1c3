package cassette

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// RecordOptions say which answers a Recorder keeps and what a kept one
// replaces. The zero RecordOptions keeps 2xx answers only.
type RecordOptions struct {
	// Errors keeps answers whose status is not 2xx. False drops them at
	// Commit with ErrNotKept: a 500 or 429 the provider gave once, kept,
	// would be replayed for ever — to the SDKs' retries as well.
	Errors bool
	// Replaces is the recording of an error answer that the new one,
	// once committed, takes the place of: its file is deleted and it
	// leaves the index, so the error is not replayed again. The new
	// recording joins its key's replay order by its recorded_at, as any
	// other does. Nil replaces nothing.
	Replaces *Recording
}

// Record starts recording the response to r; start is when the request
// went upstream, from which the offsets are counted. r is copied, its
// secrets left out.
func (s *Store) Record(r *Request, start time.Time, o RecordOptions) *Recorder {
	s.mu.RLock()
	st := s.st
	s.mu.RUnlock()
	return &Recorder{
		s:     s,
		st:    st,
		opts:  o,
		start: start,
		req: Request{
			Cassette: r.Cassette, Method: r.Method, Provider: r.Provider, Host: r.Host,
			Path: r.Path, Query: publicQuery(r.Query),
			Header: keyHeaderValues(r.Header, st.keyer.headers),
			Body:   bytes.Clone(r.Body),
		},
	}
}

// Recorder collects one response as it streams. Observe is called from
// one goroutine; Commit or Discard may come from another.
type Recorder struct {
	s     *Store
	st    *settings // the options when recording started
	opts  RecordOptions
	start time.Time
	req   Request

	// mu guards the fields below: a watchdog may Discard while the
	// stream's goroutine observes or commits.
	mu      sync.Mutex
	rec     Recording
	sawHead bool
	sawEnd  bool
	done    bool   // committed or discarded
	file    string // once committed
}

// Observe records ev (Head, SSE, Chunk or End), which arrived at at. It
// copies what it keeps.
func (rec *Recorder) Observe(ev wire.Event, at time.Time) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.done || rec.sawEnd {
		return
	}
	offset := max(at.Sub(rec.start), 0) // a clock step back must not make the file unloadable
	switch ev.Kind {
	case wire.Head:
		rec.sawHead = true
		rec.rec.Status = ev.Status
		rec.rec.Header = storedResponseHeader(ev.Header, rec.st.redact)
		rec.rec.HeadAt = offset
	case wire.SSE:
		raw := bytes.Clone(ev.Raw)
		if len(raw) == 0 {
			raw = wire.AppendSSE(nil, ev.Name, ev.Data)
		}
		rec.rec.Events = append(rec.rec.Events, Event{At: offset, Kind: wire.SSE, Name: ev.Name,
			Data: bytes.Clone(ev.Data), Raw: raw})
	case wire.Chunk:
		rec.rec.Events = append(rec.rec.Events, Event{At: offset, Kind: wire.Chunk, Data: bytes.Clone(ev.Data)})
	case wire.End:
		rec.sawEnd = true
		rec.rec.EndAt = offset
	}
}

// Success reports a 2xx status: the answers recorded unless
// RecordOptions.Errors says otherwise.
func Success(status int) bool { return status >= 200 && status < 300 }

// Commit stores the recording — written atomically, indexed, cached —
// and returns its file. A response whose End was not observed is dropped
// with ErrIncomplete; an error answer the options do not keep, with
// ErrNotKept. A second Commit returns the first one's answer; a
// Commit after Discard returns ErrIncomplete and counts nothing.
func (rec *Recorder) Commit() (string, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.done {
		if rec.file == "" {
			return "", ErrIncomplete
		}
		return rec.file, nil
	}
	rec.done = true
	switch {
	case !rec.sawHead:
		rec.drop("no response head")
		return "", ErrIncomplete
	case !rec.sawEnd:
		rec.drop("the response did not reach its end")
		return "", ErrIncomplete
	case !rec.opts.Errors && !Success(rec.rec.Status):
		rec.drop(fmt.Sprintf("the answer is a %d, and errors are not recorded", rec.rec.Status))
		return "", ErrNotKept
	}
	file, err := rec.s.commit(&rec.req, &rec.rec, rec.opts.Replaces)
	if err != nil {
		rec.s.count.dropped.Add(1)
		rec.st.log.Warn().Err(err).Msg("recording not stored")
		return "", err
	}
	rec.file = file
	return file, nil
}

// Discard drops the recording, logging reason at debug. After Commit it
// does nothing.
func (rec *Recorder) Discard(reason string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !rec.done {
		rec.done = true
		rec.drop(reason)
	}
}

func (rec *Recorder) drop(reason string) {
	rec.s.count.dropped.Add(1)
	rec.st.log.Debug().Str("cassette", rec.req.Cassette).Str("path", rec.req.Path).
		Str("reason", reason).Msg("recording dropped")
}

// commit writes a finished recording to its cassette and indexes it, in
// place of the recording replaces when that is not nil. rec becomes the
// cached, shared Recording: it must not change after.
func (s *Store) commit(req *Request, rec *Recording, replaces *Recording) (string, error) {
	if err := ValidName(req.Cassette); err != nil {
		return "", err
	}
	s.commits.RLock() // no Reload until this recording is indexed
	defer s.commits.RUnlock()
	s.mu.RLock()
	st := s.st
	s.mu.RUnlock()
	if st.dir == "" {
		return "", fmt.Errorf("cassette: no directory to record in")
	}
	key, _ := st.keyer.key(req)
	at := st.now().UTC().Round(0) // as the file will say, without the monotonic reading
	var payload int64
	rec.Events, payload = packEvents(rec.Events)
	data, err := encodeFile(req, key, at, rec)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(st.dir, filepath.FromSlash(req.Cassette))
	s.mu.RLock()
	n := len(s.idx.lookup(req.Cassette, key)) + 1
	s.mu.RUnlock()
	file, err := publish(dir, data, func(n int) string { return fileName(req.Path, key, n) }, n)
	if err != nil {
		return "", err
	}
	rec.File = file
	rec.Size = recordingSize(rec, payload)
	e := newEntry(req.Cassette, file, int64(len(data)), &stored{req: *req, recordedAt: at, rec: rec}, st)
	var old *entry
	s.mu.Lock()
	if replaces != nil {
		old = s.idx.remove(req.Cassette, key, replaces.File)
	}
	s.idx.add(e)
	cache := s.cache
	s.mu.Unlock()
	if old != nil {
		cache.drop(old)
		if err := os.Remove(old.file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			st.log.Warn().Err(err).Str("file", old.file).Msg("a replaced recording could not be deleted; it will be loaded again at the next rescan")
		}
	}
	cache.add(e, rec)
	s.count.committed.Add(1)
	return file, nil
}
