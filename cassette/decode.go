package cassette

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// stored is a recording file decoded: the request it answers, less its
// cassette, and the response ready to replay.
type stored struct {
	req        Request
	recordedAt time.Time
	rec        *Recording
}

// decodeFile parses the recording file at path. It never panics, whatever
// data holds: files are edited by hand.
func decodeFile(path string, data []byte) (*stored, error) {
	var f fileRecording
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt field in a hand edit is an error, not a silent default
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a recording: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not a recording: data after the JSON object")
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("version %d, want %d", f.Version, fileVersion)
	}
	req, err := decodeRequest(&f.Request)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	rec, err := decodeResponse(path, &f.Response)
	if err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	return &stored{req: req, recordedAt: f.RecordedAt, rec: rec}, nil
}

func decodeRequest(f *fileRequest) (Request, error) {
	if f.Method == "" || f.Path == "" {
		return Request{}, errors.New("method and path are required")
	}
	r := Request{Method: f.Method, Provider: f.Provider, Host: f.Host, Path: f.Path,
		Query: f.Query, Header: canonicalHeader(f.Headers)}
	n := 0
	if len(f.Body) > 0 {
		r.Body, n = f.Body, n+1
	}
	if f.BodyText != nil {
		r.Body, n = []byte(*f.BodyText), n+1
	}
	if f.BodyBase64 != nil {
		r.Body, n = f.BodyBase64, n+1
	}
	if n > 1 {
		return Request{}, errors.New("more than one of body, body_text and body_base64")
	}
	return r, nil
}

func decodeResponse(path string, f *fileResponse) (*Recording, error) {
	if f.Status < 100 || f.Status > 999 {
		return nil, fmt.Errorf("status %d", f.Status)
	}
	rec := &Recording{File: path, Status: f.Status, Header: canonicalHeader(f.Headers)}
	var err error
	if rec.HeadAt, err = fromMillis(f.HeadMS); err != nil {
		return nil, fmt.Errorf("head_ms: %w", err)
	}
	if rec.EndAt, err = fromMillis(f.EndMS); err != nil {
		return nil, fmt.Errorf("end_ms: %w", err)
	}
	events := make([]Event, 0, len(f.Events)+len(f.Chunks))
	for i := range f.Events {
		ev, err := decodeEvent(&f.Events[i])
		if err != nil {
			return nil, fmt.Errorf("events[%d]: %w", i, err)
		}
		events = append(events, ev)
	}
	for i := range f.Chunks {
		ev, err := decodeChunk(&f.Chunks[i])
		if err != nil {
			return nil, fmt.Errorf("chunks[%d]: %w", i, err)
		}
		events = append(events, ev)
	}
	if len(f.Events) > 0 && len(f.Chunks) > 0 {
		// Not something a provider sends, but a recorder keeps it: put
		// the two lists back in the order they arrived.
		slices.SortStableFunc(events, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	}
	var payload int64
	rec.Events, payload = packEvents(events)
	rec.Size = recordingSize(rec, payload)
	return rec, nil
}

func decodeEvent(f *fileEvent) (Event, error) {
	at, err := fromMillis(f.MS)
	if err != nil {
		return Event{}, err
	}
	var raw []byte
	switch {
	case f.SSE != nil && f.SSEBase64 == nil:
		raw = []byte(*f.SSE)
	case f.SSE == nil && f.SSEBase64 != nil:
		raw = f.SSEBase64
	default:
		return Event{}, errors.New("want one of sse and sse_base64")
	}
	ev, err := parseEvent(raw)
	ev.At = at
	return ev, err
}

// parseEvent re-reads one event's raw text, which must be exactly one
// complete event, so that replay sends the bytes that were recorded.
func parseEvent(raw []byte) (Event, error) {
	var p wire.SSEParser
	ev := Event{Kind: wire.SSE, Raw: raw}
	n := 0
	err := p.Feed(raw, func(w wire.Event) error {
		n++
		ev.Name = w.Name
		ev.Data = bytes.Clone(w.Data) // only valid during emit
		return nil
	})
	switch {
	case err != nil:
		return Event{}, err
	case n != 1 || len(p.Pending()) > 0:
		return Event{}, fmt.Errorf("sse is not one complete event: %d events, %d bytes left over", n, len(p.Pending()))
	}
	return ev, nil
}

func decodeChunk(f *fileChunk) (Event, error) {
	at, err := fromMillis(f.MS)
	if err != nil {
		return Event{}, err
	}
	switch {
	case f.Text != nil && f.Base64 == nil:
		return Event{At: at, Kind: wire.Chunk, Data: []byte(*f.Text)}, nil
	case f.Text == nil && f.Base64 != nil:
		return Event{At: at, Kind: wire.Chunk, Data: f.Base64}, nil
	}
	return Event{}, errors.New("want one of text and base64")
}
