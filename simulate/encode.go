package simulate

import (
	"bytes"
	"sync"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// jsonEncoder encodes into a pooled buffer: response bodies and events are
// written to the connection before Send returns, so the buffer can be
// reused as soon as the event is sent. It uses goccy/go-json, twice as
// fast as encoding/json on response types; the golden files pin that its
// bytes are the ones encoding/json would write.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *gojson.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = gojson.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// scratchPool holds buffers for events built from templates; like the
// encoders', they are free again once Send returns.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// encodeJSON encodes v. Only our own response types are encoded, which
// cannot fail; release returns the buffer.
func encodeJSON(v any) *jsonEncoder {
	e := encoders.Get().(*jsonEncoder)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		e.buf.Reset()
		e.buf.WriteString("{}")
	}
	return e
}

// bytes is the encoding without Encode's trailing newline.
func (e *jsonEncoder) bytes() []byte { return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")) }

func (e *jsonEncoder) release() {
	if e.buf.Cap() <= 1<<20 {
		encoders.Put(e)
	}
}

// appendJSONString appends s as a JSON string. Hand-written because the
// streaming loop quotes one token per event and must not allocate; like
// the providers it leaves <, > and & alone.
func appendJSONString(dst []byte, s string) []byte {
	return append(appendEscaped(append(dst, '"'), s), '"')
}

// appendJSONText appends an answer's pieces as one JSON string, with no
// join in between (BenchmarkFront: 11 → 10 allocations). Pieces end on
// rune boundaries, so escaping them one by one escapes the whole.
func appendJSONText(dst []byte, p textPieces) []byte {
	dst = append(dst, '"')
	for i := range p.len() {
		dst = appendEscaped(dst, p.at(i))
	}
	return append(dst, '"')
}

// appendEscaped appends s escaped as the inside of a JSON string.
func appendEscaped(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8RuneSelf {
			i++
			continue
		}
		if c >= utf8RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				i += size
				start = i
				continue
			}
			if r == '\u2028' || r == '\u2029' {
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

const utf8RuneSelf = utf8.RuneSelf

// encodeOffStack is encodeJSON on a goroutine of its own
// (wire.OnFreshStack): the encoder runs on a 9 KiB frame, and a stream
// that encodes before its first wait would keep a doubled stack while it
// waits (BenchmarkOpenStreams). About a microsecond an event: for the
// events a stream sends before its first token that no template can
// hold, as they echo the request.
func encodeOffStack(v any) (enc *jsonEncoder) {
	wire.OnFreshStack(func() error {
		enc = encodeJSON(v)
		return nil
	})
	return enc
}
