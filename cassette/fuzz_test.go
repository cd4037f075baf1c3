package cassette

import (
	"bytes"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// FuzzLoadFile feeds arbitrary bytes to the file loader. It must never
// panic, and whatever it accepts must survive being written and read
// again: same key, same response.
func FuzzLoadFile(f *testing.F) {
	s := open(f, Options{Dir: f.TempDir()})
	seeds := []struct {
		r   *Request
		evs []wire.Event
	}{
		{chat("gpt-4o", "hi", true), chatStream(2, "w")},
		{chat("gpt-4o", "hi", false), plainBody("x")},
		{&Request{Method: "POST", Provider: "anthropic", Path: "/v1/messages", Query: "beta=true",
			Header: http.Header{}, Body: []byte{0xff, '{'}}, []wire.Event{
			{Kind: wire.Head, Status: 200},
			{Kind: wire.SSE, Name: "ping", Data: []byte("a\nb")},
			{Kind: wire.SSE, Raw: []byte{'d', 'a', 't', 'a', ':', 0xfe, '\n', '\n'}},
			{Kind: wire.Chunk, Data: []byte{0}},
			{Kind: wire.End},
		}},
	}
	for _, seed := range seeds {
		data, err := os.ReadFile(record(f, s, seed.r, seed.evs))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"version":1,"request":{"method":"GET","path":"/"},"response":{"status":200,"head_ms":1e300}}`))
	f.Add([]byte(`{"version":1,"request":{"method":"GET","path":"/","body":null},"response":{"status":200}}`))
	f.Add([]byte(`{}`))
	st := newSettings(Options{KeyHeaders: []string{"X-Test-Id"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeFile("fuzz.json", data)
		if err != nil {
			return
		}
		e := newEntry("", "fuzz.json", int64(len(data)), got, st)
		again, err := encodeFile(&got.req, e.key, got.recordedAt, got.rec)
		if err != nil {
			t.Fatalf("an accepted file does not encode: %v", err)
		}
		back, err := decodeFile("fuzz.json", again)
		if err != nil {
			t.Fatalf("a re-encoded file does not load: %v\n%s", err, again)
		}
		if key, _ := st.keyer.key(&back.req); key != e.key {
			t.Errorf("key changed on re-encoding:\n%s\n%s", data, again)
		}
		if !sameResponse(got.rec, back.rec) {
			t.Errorf("response changed on re-encoding:\n%s\n%s", data, again)
		}
	})
}

func sameResponse(a, b *Recording) bool {
	if a.Status != b.Status || a.HeadAt != b.HeadAt || a.EndAt != b.EndAt ||
		!reflect.DeepEqual(a.Header, b.Header) || len(a.Events) != len(b.Events) {
		return false
	}
	for i := range a.Events {
		x, y := &a.Events[i], &b.Events[i]
		if x.At != y.At || x.Kind != y.Kind || x.Name != y.Name || !bytes.Equal(x.Data, y.Data) ||
			!bytes.Equal(x.Raw, y.Raw) {
			return false
		}
	}
	return true
}
