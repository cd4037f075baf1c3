package cassette

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/llm-simulator/llm-simulator/wire"
)

// fileVersion is the format written; files of another version are skipped.
const fileVersion = 1

// fileRecording is one recording file: pretty-printed JSON a person can
// read and diff. Bytes that are not UTF-8 go in the *_base64 fields, so
// nothing is lost. The key is written for people; the loader recomputes
// it, since the key options may have changed.
type fileRecording struct {
	Version    int          `json:"version"`
	Key        string       `json:"key,omitempty"`
	RecordedAt time.Time    `json:"recorded_at"`
	Request    fileRequest  `json:"request"`
	Response   fileResponse `json:"response"`
}

type fileRequest struct {
	Method   string              `json:"method"`
	Provider string              `json:"provider"`
	Host     string              `json:"host,omitempty"`
	Path     string              `json:"path"`
	Query    string              `json:"query,omitempty"`
	Headers  map[string][]string `json:"headers,omitempty"`
	// Body is the body as a JSON value when it is JSON; otherwise
	// BodyText when it is UTF-8, else BodyBase64.
	Body       json.RawMessage `json:"body,omitempty"`
	BodyText   *string         `json:"body_text,omitempty"`
	BodyBase64 []byte          `json:"body_base64,omitempty"`
}

type fileResponse struct {
	Status  int                 `json:"status"`
	Headers map[string][]string `json:"headers,omitempty"`
	HeadMS  float64             `json:"head_ms"`
	// Events is an event stream's events, each exactly as it arrived;
	// Chunks is any other body.
	Events []fileEvent `json:"events,omitempty"`
	Chunks []fileChunk `json:"chunks,omitempty"`
	EndMS  float64     `json:"end_ms"`
}

type fileEvent struct {
	MS        float64 `json:"ms"`
	SSE       *string `json:"sse,omitempty"`
	SSEBase64 []byte  `json:"sse_base64,omitempty"`
}

type fileChunk struct {
	MS     float64 `json:"ms"`
	Text   *string `json:"text,omitempty"`
	Base64 []byte  `json:"base64,omitempty"`
}

// encodeFile renders a recording of req as its file's contents.
func encodeFile(req *Request, key uint64, at time.Time, rec *Recording) ([]byte, error) {
	f := fileRecording{
		Version:    fileVersion,
		Key:        fmt.Sprintf("%016x", key),
		RecordedAt: at.UTC(),
		Request: fileRequest{
			Method: req.Method, Provider: req.Provider, Host: req.Host,
			Path: req.Path, Query: req.Query, Headers: req.Header,
		},
		Response: fileResponse{
			Status: rec.Status, Headers: rec.Header,
			HeadMS: millis(rec.HeadAt), EndMS: millis(rec.EndAt),
		},
	}
	setBody(&f.Request, req.Body)
	for i := range rec.Events {
		ev := &rec.Events[i]
		if ev.Kind == wire.SSE {
			f.Response.Events = append(f.Response.Events, encodeEvent(ev))
		} else {
			f.Response.Chunks = append(f.Response.Chunks, encodeChunk(ev))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // prompts are full of '<' and '&'
	enc.SetIndent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return nil, fmt.Errorf("cassette: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func setBody(f *fileRequest, body []byte) {
	switch {
	case len(body) == 0:
	case json.Valid(body):
		f.Body = body
	case utf8.Valid(body):
		s := string(body)
		f.BodyText = &s
	default:
		f.BodyBase64 = body
	}
}

func encodeEvent(ev *Event) fileEvent {
	fe := fileEvent{MS: millis(ev.At)}
	if utf8.Valid(ev.Raw) {
		s := string(ev.Raw)
		fe.SSE = &s
	} else {
		fe.SSEBase64 = ev.Raw
	}
	return fe
}

func encodeChunk(ev *Event) fileChunk {
	fc := fileChunk{MS: millis(ev.At)}
	if utf8.Valid(ev.Data) {
		s := string(ev.Data)
		fc.Text = &s
	} else {
		fc.Base64 = ev.Data
	}
	return fc
}

// millis is d in milliseconds, rounded to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)/time.Microsecond) / 1000
}

// maxMillis bounds an offset read from a file: a week is far past any
// response, and the bound keeps the conversion from overflowing.
const maxMillis = 7 * 24 * 3600 * 1000

// fromMillis turns an offset read from a file back into a duration.
func fromMillis(ms float64) (time.Duration, error) {
	if math.IsNaN(ms) || ms < 0 || ms > maxMillis {
		return 0, fmt.Errorf("offset %v ms out of range", ms)
	}
	return time.Duration(math.Round(ms*1000)) * time.Microsecond, nil
}

// canonicalHeader copies a header read from a file under canonical names:
// hand-edited files may spell them in lower case.
func canonicalHeader(m map[string][]string) http.Header {
	if len(m) == 0 {
		return nil
	}
	h := make(http.Header, len(m))
	for k, v := range m {
		ck := http.CanonicalHeaderKey(k)
		h[ck] = append(h[ck], v...)
	}
	return h
}
