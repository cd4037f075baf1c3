package faults

import (
	"context"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// BenchmarkContent is the cost of the fault on a whole response: every
// event is parsed, the ones it changes re-encoded.
func BenchmarkContent(b *testing.B) {
	for _, golden := range []string{"chat", "chat-stream", "responses-stream", "messages-tools-stream"} {
		b.Run(golden, func(b *testing.B) {
			provider, path := contentEndpoint(golden)
			in := readGolden(b, golden).events(b, path)
			x, _ := testExchange(provider)
			x.Path = path
			c := &Content{Finish: "length", InvalidToolArguments: true}
			discard := wire.SinkFunc(func(wire.Event) error { return nil })
			b.ReportAllocs()
			for b.Loop() {
				s := c.Wrap(context.Background(), x, discard)
				for _, ev := range in {
					if err := s.Send(ev); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
