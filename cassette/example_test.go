package cassette_test

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Record an answer as it streams, then replay it; a request the cassette
// does not hold says why.
func Example() {
	dir, _ := os.MkdirTemp("", "cassettes")
	defer os.RemoveAll(dir)
	store, err := cassette.Open(cassette.Options{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}

	req := &cassette.Request{Cassette: "suite-a", Method: "POST", Provider: "openai",
		Path: "/v1/chat/completions", Header: http.Header{"Authorization": {"Bearer sk-…"}},
		Body: []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}`)}
	start := time.Now()
	rec := store.Record(req, start, cassette.RecordOptions{})
	rec.Observe(wire.Event{Kind: wire.Head, Status: 200,
		Header: http.Header{"Content-Type": {"text/event-stream"}}}, start.Add(200*time.Millisecond))
	rec.Observe(wire.Event{Kind: wire.SSE, Data: []byte(`{"choices":[{"delta":{"content":"Hello"}}]}`)},
		start.Add(250*time.Millisecond))
	rec.Observe(wire.Event{Kind: wire.SSE, Data: []byte("[DONE]")}, start.Add(300*time.Millisecond))
	rec.Observe(wire.Event{Kind: wire.End}, start.Add(300*time.Millisecond))
	if _, err := rec.Commit(); err != nil {
		log.Fatal(err)
	}

	// The same request, its keys in another order, replays the recording.
	again := *req
	again.Body = []byte(`{"stream":true,"messages":[{"content":"hi","role":"user"}],"model":"gpt-4o"}`)
	got, _, _ := store.Replay(&again, "test-1", cassette.RepeatLast)
	for _, ev := range got.Events {
		fmt.Printf("%v %q\n", ev.At, ev.Raw)
	}

	again.Body = []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}`)
	_, miss, _ := store.Replay(&again, "test-1", cassette.RepeatLast)
	fmt.Println(miss.Differences)
	// Output:
	// 250ms "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
	// 300ms "data: [DONE]\n\n"
	// [model: "gpt-4o-mini" vs "gpt-4o"]
}
