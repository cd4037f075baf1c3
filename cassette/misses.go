package cassette

import (
	"fmt"
	"strings"
	"sync"
)

// recentMisses is how many misses Store.Misses remembers.
const recentMisses = 64

// missRing keeps the latest misses, for an admin page or a test's
// failure message.
type missRing struct {
	mu   sync.Mutex // guards buf, next and n
	buf  [recentMisses]Miss
	next int // where the next miss goes
	n    int // how many buf holds
}

func (r *missRing) add(m *Miss) {
	r.mu.Lock()
	r.buf[r.next] = *m
	r.next = (r.next + 1) % len(r.buf)
	r.n = min(r.n+1, len(r.buf))
	r.mu.Unlock()
}

// list returns the misses, oldest first.
func (r *missRing) list() []Miss {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Miss, 0, r.n)
	for i := range r.n {
		out = append(out, r.buf[(r.next-r.n+i+len(r.buf))%len(r.buf)])
	}
	return out
}

func missString(m *Miss) string {
	var b strings.Builder
	fmt.Fprintf(&b, "no recording matched %s %s (%s", m.Method, m.Path, orUnknown(m.Provider))
	if m.Cassette == "" {
		b.WriteString(", root cassette")
	} else {
		fmt.Fprintf(&b, ", cassette %q", m.Cassette)
	}
	if m.Scope != "" {
		fmt.Fprintf(&b, ", scope %q", m.Scope)
	}
	if m.Stream {
		b.WriteString(", stream")
	}
	b.WriteByte(')')
	if m.Nearest != "" {
		fmt.Fprintf(&b, ": nearest is %s", m.Nearest)
	}
	if len(m.Differences) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(m.Differences, "; "))
	}
	return b.String()
}

func orUnknown(provider string) string {
	if provider == "" {
		return "unknown provider"
	}
	return provider
}
