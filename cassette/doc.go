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
//
// # Data path
//
//	record:  upstream events ──Observe──▶ Recorder ──Commit──▶ temp file ─link─▶ <dir>/<cassette>/<path>-<key>-<n>.json
//	                                                    └──▶ index (key → files in order) + body cache
//
//	replay:  Request ──key──▶ index[cassette][key] ──nth call of (cassette, scope, key)──▶ entry
//	                                  │ no key                                                  │
//	                                  ▼                                                         ▼
//	                 Miss: nearest by fingerprint,                      body cache ─ evicted? ─▶ read the file again
//	                 differences from its file
//
// # Files
//
// One recording per file, pretty-printed so a diff shows what changed:
//
//	{
//	  "version": 1,
//	  "key": "3f9a0c12b4d1e5f6",
//	  "recorded_at": "2026-03-01T12:00:00.123456Z",
//	  "request": {
//	    "method": "POST", "provider": "openai", "host": "api.openai.com",
//	    "path": "/v1/chat/completions",
//	    "body": {"model": "gpt-4o", "messages": [...], "stream": true}
//	  },
//	  "response": {
//	    "status": 200,
//	    "headers": {"Content-Type": ["text/event-stream; charset=utf-8"]},
//	    "head_ms": 231.402,
//	    "events": [
//	      {"ms": 232.1, "sse": "data: {\"choices\":[...]}\n\n"},
//	      {"ms": 1200.3, "sse": "data: [DONE]\n\n"}
//	    ],
//	    "end_ms": 1200.3
//	  }
//	}
//
// A body that is not an event stream is "chunks" of "text" (or "base64"
// when not UTF-8). Offsets are milliseconds from the request's start, to
// the microsecond. The key is only for people: loading recomputes it with
// the current options, so a file may be edited or written by hand.
package cassette
