package simulate

import (
	"bytes"
	"sync"
)

// The events a Messages stream opens with, as templates built once per
// process: encoding them per stream costs CPU and, as the JSON encoder
// runs on a 9 KiB frame, doubles the stack of every goroutine that then
// waits out a stream (BenchmarkOpenStreams). The encoder still decides
// every byte of their layout.

// messageStartTemplate has holes for the id, the model, and the usage's
// input, output and thinking tokens.
var messageStartTemplate = sync.OnceValue(func() *eventTemplate {
	m := startMessage(holeString, holeString, newAnthropicUsage(holeInt, holeInt, holeInt))
	return templateOf(&anthropicEvent{Type: "message_start", Message: m})
})

// blockStartTemplates are content_block_start for the blocks whose start
// carries nothing of the call's (text, thinking), by block type, with a
// hole for the index.
var blockStartTemplates sync.Map // block type → *eventTemplate

// blockDeltaTemplates are content_block_delta by delta type, with holes
// for the index and the piece.
var blockDeltaTemplates sync.Map // delta type → *eventTemplate

// pingEvent is the ping event's data.
var pingEvent = sync.OnceValue(func() []byte {
	enc := encodeJSON(&anthropicEvent{Type: "ping"})
	defer enc.release()
	return bytes.Clone(enc.bytes())
})

// blockStartTemplate is start's template, or nil when start carries the
// call's own fields (a tool call's id and name) and is encoded instead.
func blockStartTemplate(start *contentBlock) *eventTemplate {
	if start.Type != "text" && start.Type != "thinking" {
		return nil
	}
	return cachedTemplate(&blockStartTemplates, start.Type, func() *eventTemplate {
		idx := holeInt
		return templateOf(&anthropicEvent{Type: "content_block_start", Index: &idx, ContentBlock: start})
	})
}

func blockDeltaTemplate(delta func(*string) blockDelta) *eventTemplate {
	hole := holeString
	d := delta(&hole)
	return cachedTemplate(&blockDeltaTemplates, d.Type, func() *eventTemplate {
		idx := holeInt
		return templateOf(&anthropicEvent{Type: "content_block_delta", Index: &idx, Delta: d})
	})
}
