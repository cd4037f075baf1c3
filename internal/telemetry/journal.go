package telemetry

import (
	"sync"
	"time"
)

// Journal keeps the most recent Records, oldest dropped first, in the
// order the requests finished. It is safe for concurrent use; the zero
// Journal keeps nothing.
type Journal struct {
	mu   sync.Mutex // guards buf, next and n
	buf  []Record   // the ring, allocated once per size
	next int        // the slot the next Add writes
	n    int        // how many slots hold a record
}

// NewJournal returns a journal of size records; size <= 0 keeps nothing.
func NewJournal(size int) *Journal {
	return &Journal{buf: make([]Record, max(size, 0))}
}

// Add keeps a copy of *r, dropping the oldest record when full. It
// allocates nothing: the ring's slots are made up front, and r's strings,
// Faults and Retry are shared, not copied.
func (j *Journal) Add(r *Record) {
	j.mu.Lock()
	if len(j.buf) > 0 {
		j.buf[j.next] = *r
		if j.next++; j.next == len(j.buf) {
			j.next = 0
		}
		j.n = min(j.n+1, len(j.buf))
	}
	j.mu.Unlock()
}

// Query selects records from a Journal. The zero Query selects the
// records of requests without a scope.
type Query struct {
	// Scope selects the requests of one scope; "" those without one.
	Scope string
	// AnyScope selects the requests of every scope, ignoring Scope.
	AnyScope bool
	// Rule selects the requests one rule took; "" any rule.
	Rule string
	// Since selects the requests that arrived at or after it; zero, all.
	Since time.Time
	// Limit keeps the newest Limit of those selected; 0 or less, all.
	Limit int
}

func (q *Query) match(r *Record) bool {
	return (q.AnyScope || r.Scope == q.Scope) &&
		(q.Rule == "" || r.Rule == q.Rule) &&
		(q.Since.IsZero() || !r.Time.Before(q.Since))
}

// Query returns copies of the records q selects, oldest first.
func (j *Journal) Query(q Query) []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Record
	// Newest first, so Limit stops the walk early; reversed at the end.
	for i := 0; i < j.n && (q.Limit <= 0 || len(out) < q.Limit); i++ {
		if r := &j.buf[j.slot(j.n-1-i)]; q.match(r) {
			out = append(out, *r)
		}
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

// Len is the number of records held.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Size is the most records the journal holds.
func (j *Journal) Size() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.buf)
}

// ClearScope drops the records of one scope ("" those without one),
// keeping the others in order: one test's scope is reset without
// touching a concurrent test's.
func (j *Journal) ClearScope(scope string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.rebuild(len(j.buf), func(r *Record) bool { return r.Scope != scope })
}

// ClearAll drops every record.
func (j *Journal) ClearAll() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.buf) // let go of what the records hold
	j.next, j.n = 0, 0
}

// Resize makes the journal hold size records (size <= 0: none), keeping
// the newest of those it has; a reload that changes the size loses no
// more than it must.
func (j *Journal) Resize(size int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if max(size, 0) != len(j.buf) {
		j.rebuild(max(size, 0), func(*Record) bool { return true })
	}
}

// slot is the index in buf of the i-th oldest record. j.mu is held.
func (j *Journal) slot(i int) int {
	s := j.next - j.n + i
	if s < 0 {
		s += len(j.buf)
	}
	return s
}

// rebuild replaces the ring by one of size slots holding, in order, the
// newest of the records keep accepts. j.mu is held. A fresh ring rather
// than compaction in place: rare calls, and the old slots' strings are
// let go with it.
func (j *Journal) rebuild(size int, keep func(*Record) bool) {
	buf := make([]Record, size)
	n := 0
	for i := j.n - 1; i >= 0 && n < size; i-- {
		if r := &j.buf[j.slot(i)]; keep(r) {
			n++
			buf[size-n] = *r
		}
	}
	// The kept records sit at the end of buf; move them to the front so
	// that next follows the newest.
	copy(buf, buf[size-n:])
	clear(buf[n:])
	j.buf, j.n = buf, n
	j.next = 0
	if size > 0 {
		j.next = n % size
	}
}
