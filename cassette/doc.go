// Package cassette is the record-and-replay store: recorded provider
// responses kept as human-readable JSON files in a directory tree (the
// cassettes), a full in-memory index of their keys, and a cache of their
// bodies bounded by entry count and by bytes.
//
// The files and the index are the truth; the body cache is only a cache.
// An evicted body costs a disk read on its next replay, never a miss.
//
// A recording's key is canonical: method, provider, path, the query less
// its secrets, the stream flag, the JSON body with keys sorted and the
// configured members left out, and the configured request headers. Two
// SDKs that order the keys of the same request differently replay the
// same recording. The same key recorded several times replays in recorded
// order, counted per cassette and per scope, so parallel tests each step
// through their own recordings.
//
// Secrets never reach a file or memory: request headers are kept only when
// they are part of the key (and a secret header may not be), response
// headers lose the hop-by-hop and secret ones, and secret query
// parameters are dropped.
//
// A miss keeps the nearest recording and the fields that differ, so a user
// can see why a request did not replay.
package cassette
