package wire

import (
	"bytes"
	"testing"
)

type parsed struct {
	name, data string
	hasData    bool
	raw        string
}

func parseAll(t testing.TB, chunks ...[]byte) ([]parsed, []byte) {
	var p SSEParser
	var out []parsed
	for _, c := range chunks {
		err := p.Feed(c, func(ev Event) error {
			out = append(out, parsed{ev.Name, string(ev.Data), ev.Data != nil, string(ev.Raw)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out, p.Pending()
}

func TestSSEParserFollowsTheSpec(t *testing.T) {
	in := "event: message_start\ndata: {\"a\":1}\n\n" +
		": keep-alive\n\n" +
		"data: line1\r\ndata:line2\r\n\r\n" +
		"data\n\n" +
		"event: x\rdata: cr\r\r" +
		"id: 7\nretry: 10\ndata: [DONE]\n\n" +
		"data: partial"
	want := []parsed{
		{"message_start", `{"a":1}`, true, "event: message_start\ndata: {\"a\":1}\n\n"},
		{"", "", false, ": keep-alive\n\n"},
		{"", "line1\nline2", true, "data: line1\r\ndata:line2\r\n\r\n"},
		{"", "", true, "data\n\n"},
		{"x", "cr", true, "event: x\rdata: cr\r\r"},
		{"", "[DONE]", true, "id: 7\nretry: 10\ndata: [DONE]\n\n"},
	}
	check := func(t *testing.T, got []parsed, pending []byte) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %d events %+v, want %d", len(got), got, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		if string(pending) != "data: partial" {
			t.Errorf("pending = %q", pending)
		}
	}
	t.Run("whole", func(t *testing.T) {
		got, pending := parseAll(t, []byte(in))
		check(t, got, pending)
	})
	t.Run("byte by byte", func(t *testing.T) {
		var chunks [][]byte
		for i := range len(in) {
			chunks = append(chunks, []byte{in[i]})
		}
		got, pending := parseAll(t, chunks...)
		check(t, got, pending)
	})
}

func TestAppendSSERoundTrips(t *testing.T) {
	cases := []struct{ name, data string }{
		{"", `{"x":1}`},
		{"content_block_delta", `{"type":"content_block_delta"}`},
		{"multi", "a\nb\n\nc"},
		{"", ""},
	}
	for _, c := range cases {
		raw := AppendSSE(nil, c.name, []byte(c.data))
		got, pending := parseAll(t, raw)
		if len(got) != 1 || got[0].name != c.name || got[0].data != c.data || got[0].raw != string(raw) || len(pending) != 0 {
			t.Errorf("%q/%q: round trip gave %+v pending %q", c.name, c.data, got, pending)
		}
	}
}

func FuzzSSEParser(f *testing.F) {
	f.Add([]byte("event: a\ndata: b\n\ndata: c\r\n\r\n"), 3)
	f.Add([]byte("data: x\r"), 1)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		whole, pendWhole := parseAll(t, in)
		if split <= 0 {
			split = 1
		}
		var chunks [][]byte
		for rest := in; len(rest) > 0; {
			n := min(split, len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		pieces, pendPieces := parseAll(t, chunks...)
		// Splitting may only delay a trailing CR's decision; everything
		// before it must agree.
		if len(pieces) != len(whole) {
			t.Fatalf("whole gave %d events, pieces %d", len(whole), len(pieces))
		}
		var raw bytes.Buffer
		for i := range whole {
			if whole[i] != pieces[i] {
				t.Fatalf("event %d: whole %+v pieces %+v", i, whole[i], pieces[i])
			}
			raw.WriteString(whole[i].raw)
		}
		raw.Write(pendWhole)
		if !bytes.Equal(raw.Bytes(), in) || !bytes.Equal(pendWhole, pendPieces) {
			t.Fatalf("raw bytes do not reassemble the input")
		}
	})
}
