package proxy

import "sync"

// occurrences counts how many times each request identity has been seen,
// so the nth identical request gets the nth answer, reproducibly.
//
// It is sharded to keep lock contention off the hot path. A shard that
// reaches shardLimit identities is cleared, bounding memory under a load
// test that never repeats a request: those identities start counting from
// one again, which only matters to a run that repeats a request after a
// million others.
type occurrences struct {
	shards [occShards]occShard
}

const (
	occShards  = 64
	shardLimit = 1 << 14
)

type occShard struct {
	mu     sync.Mutex // guards counts
	counts map[uint64]uint32
}

// next records one more sighting of key and returns its ordinal, from 1.
func (o *occurrences) next(key uint64) uint64 {
	s := &o.shards[key%occShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil || len(s.counts) >= shardLimit {
		s.counts = make(map[uint64]uint32, 64)
	}
	s.counts[key]++
	return uint64(s.counts[key])
}
