package cassette

import (
	"errors"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// ErrIncomplete is Commit's answer for a response that never reached its
// end: it is dropped, not stored.
var ErrIncomplete = errors.New("cassette: the response did not complete")

// Store is the cassettes on disk, their index and the body cache. It is
// safe for concurrent use.
type Store struct{}

// Open loads every cassette under o.Dir (a missing directory is an empty
// store). A file that cannot be read or parsed is skipped with one log
// line naming it; only a directory that exists and cannot be read is an
// error.
func Open(o Options) (*Store, error) { return &Store{}, nil }

// Reload rescans the cassettes with o, keeping the counters and the
// replay order. On error the store is unchanged.
func (s *Store) Reload(o Options) error { return nil }

// Dir is the root cassette's directory.
func (s *Store) Dir() string { return "" }

// Replay returns the recording for r's nth call in its cassette and scope
// — n counted per key — or, when the cassette holds none for r's key, the
// miss and its explanation (kept among the recent misses). An error means
// the recording exists but could not be read back.
func (s *Store) Replay(r *Request, scope string, after AfterLast) (*Recording, *Miss, error) {
	return nil, &Miss{}, nil
}

// Explain says why r would miss, or reports a hit with a nil Miss,
// without counting a call.
func (s *Store) Explain(r *Request) *Miss { return nil }

// Misses returns the recent misses, oldest first.
func (s *Store) Misses() []Miss { return nil }

// ResetScope forgets the replay order of one scope in every cassette.
func (s *Store) ResetScope(scope string) {}

// ResetAll forgets every replay order.
func (s *Store) ResetAll() {}

// Stats returns the counters.
func (s *Store) Stats() Stats { return Stats{} }

// Record starts recording the response to r; start is when the request
// went upstream, from which the offsets are counted. r is copied, its
// secrets left out.
func (s *Store) Record(r *Request, start time.Time) *Recorder { return &Recorder{} }

// Recorder collects one response as it streams.
type Recorder struct{}

// Observe records ev (Head, SSE, Chunk or End), which arrived at at. It
// copies what it keeps.
func (rec *Recorder) Observe(ev wire.Event, at time.Time) {}

// Commit stores the recording — written atomically, indexed, cached —
// and returns its file. A response whose End was not observed is dropped
// with ErrIncomplete.
func (rec *Recorder) Commit() (string, error) { return "", ErrIncomplete }

// Discard drops the recording, logging reason at debug.
func (rec *Recorder) Discard(reason string) {}

// ValidName checks a cassette name from a request header or a rule.
func ValidName(name string) error { return nil }

// IsSecretHeader reports a header that is never stored.
func IsSecretHeader(name string) bool { return false }

func missString(m *Miss) string { return "" }
