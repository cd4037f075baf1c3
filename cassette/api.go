package cassette

import (
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Options configure a Store.
type Options struct {
	// Dir is the root cassette; a named cassette is a subdirectory of it.
	// Created on the first recording if it does not exist. Empty means no
	// cassettes: every replay misses and every commit fails.
	Dir string
	// Entries bounds how many recordings' bodies are cached in memory.
	// Zero means DefaultEntries; a negative value caches none.
	Entries int
	// MaxBytes bounds the cached bodies' total size, as Recording.Size
	// counts it. Zero means DefaultMaxBytes; a negative value caches none.
	// A recording larger than the bound is read from its file each time.
	MaxBytes int64
	// Ignore names top-level request-body members left out of the key.
	// Nil means DefaultIgnore; an empty non-nil slice ignores nothing.
	Ignore []string
	// KeyHeaders names request headers that are part of the key, e.g. a
	// test id; their values are stored with the recording. A secret header
	// (see IsSecretHeader) may not be one: the caller refuses it, and the
	// store leaves it out of keys and files if it slips through.
	KeyHeaders []string
	// Redact names further response headers never stored, beside
	// DefaultRedact and the hop-by-hop ones.
	Redact []string
	// Log receives one line per skipped file and debug lines for dropped
	// recordings and misses. The zero Logger discards them.
	Log zerolog.Logger
	// Now is the wall clock for recorded_at; nil means time.Now.
	Now func() time.Time
}

// DefaultIgnore is the request members left out of keys by default:
// "user" only tags the caller. stream_options.include_usage changes the
// stream, so it stays in.
var DefaultIgnore = []string{"user"}

// DefaultRedact is the headers never stored, request or response.
var DefaultRedact = []string{"Authorization", "X-Api-Key", "Api-Key", "Openai-Organization",
	"Openai-Project", "Anthropic-Organization-Id", "Cookie", "Set-Cookie", "Proxy-Authorization",
	"X-Goog-Api-Key"}

// Request is what keys a recording.
type Request struct {
	// Cassette names the cassette: "" is the root, otherwise a relative
	// slash-separated path under it (see ValidName).
	Cassette string
	Method   string
	// Provider is the dialect: "openai", "anthropic".
	Provider string
	// Host is the host the request was for; stored, not part of the key.
	Host string
	// Path is the API path, e.g. /v1/chat/completions.
	Path string
	// Query is the raw query, without '?'.
	Query string
	// Header is the request's headers, keyed canonically as net/http
	// keys them; only the KeyHeaders are read.
	Header http.Header
	// Body is the whole request body.
	Body []byte
}

// Recording is one recorded response, ready to replay. It is shared and
// must not be modified.
type Recording struct {
	// File is the recording's path, for logs and explanations.
	File   string
	Status int
	// Header is the response's headers, secrets removed.
	Header http.Header
	// HeadAt is when the head arrived, from the request's start.
	HeadAt time.Duration
	// Events is the body: SSE events when the response is an event
	// stream, otherwise chunks, in order.
	Events []Event
	// EndAt is when the body ended.
	EndAt time.Duration
	// Size is the recording's in-memory size, as the cache counts it.
	Size int64
}

// Event is one recorded piece of a body.
type Event struct {
	// At is when it arrived, from the request's start.
	At   time.Duration
	Kind wire.Kind // wire.SSE or wire.Chunk
	// Name and Data are the SSE event's fields (Data is also a chunk's
	// bytes); Raw is the SSE event exactly as it arrived, terminator
	// included.
	Name string
	Data []byte
	Raw  []byte
}

// Wire is the event as a wire.Event.
func (e *Event) Wire() wire.Event {
	return wire.Event{Kind: e.Kind, Name: e.Name, Data: e.Data, Raw: e.Raw}
}

// AfterLast is what the call after the last recording of a key gets.
type AfterLast uint8

const (
	// RepeatLast replays the last recording again.
	RepeatLast AfterLast = iota
	// Wrap starts again from the first.
	Wrap
)

// Miss explains a request no recording matched.
type Miss struct {
	// At is when the request missed, by Options.Now.
	At time.Time `json:"at"`
	// Cassette, Scope, Method, Provider and Path are the request's.
	Cassette string `json:"cassette"`
	Scope    string `json:"scope"`
	Method   string `json:"method"`
	Provider string `json:"provider"`
	Path     string `json:"path"`
	// Stream is the request's stream flag.
	Stream bool `json:"stream"`
	// Nearest is the file of the closest recording, "" when the cassette
	// holds none for this provider.
	Nearest string `json:"nearest"`
	// Differences name what sets the request apart from Nearest, most
	// telling first, the request's value before the recording's, e.g.
	// `model: "gpt-4o" vs "gpt-4o-mini"`, `messages[2].content differs`,
	// `stream: true vs false`; at most six, the last perhaps "and 3 more".
	// When Nearest is "", it holds the one reason, e.g. "the cassette holds
	// no recordings".
	Differences []string `json:"differences"`
}

// String is the miss as one sentence for an error message or a log line.
func (m *Miss) String() string { return missString(m) }

// Stats are the store's counters, for metrics.
type Stats struct {
	Cassettes  int `json:"cassettes"`  // cassettes holding at least one recording
	Recordings int `json:"recordings"` // recordings indexed
	// Cached bodies and their bytes.
	CachedEntries int    `json:"cached_entries"`
	CachedBytes   int64  `json:"cached_bytes"`
	Hits          uint64 `json:"hits"`       // replays that found a recording, cached or not
	Misses        uint64 `json:"misses"`     // replays that found none
	Evictions     uint64 `json:"evictions"`  // bodies dropped from the cache to respect its bounds
	DiskReads     uint64 `json:"disk_reads"` // bodies read from their file on replay: evicted or too large to cache
	Committed     uint64 `json:"committed"`  // recordings written
	Dropped       uint64 `json:"dropped"`    // recordings discarded: incomplete, an error answer not kept, or their file could not be written
	Skipped       uint64 `json:"skipped"`    // files that could not be loaded, counted at every scan
}
