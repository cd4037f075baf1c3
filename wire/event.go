package wire

import "net/http"

// Kind says what an Event carries.
type Kind uint8

// The event kinds, in the order a response produces them: one Head, any
// number of SSE or Chunk events, one End.
const (
	// Head carries Status, Header and Stream. It must come first.
	Head Kind = iota + 1
	// SSE is one server-sent event: Name (the "event:" field, empty for
	// data-only events) and Data.
	SSE
	// Chunk is a piece of a body that is not an event stream.
	Chunk
	// End says the response is complete; nothing follows it.
	End
)

func (k Kind) String() string {
	switch k {
	case Head:
		return "head"
	case SSE:
		return "sse"
	case Chunk:
		return "chunk"
	case End:
		return "end"
	}
	return "invalid"
}

// Event is one unit of a response. Header, Data and Raw are only valid
// until Send returns — sources reuse them — so a Sink that keeps them must
// copy them (the Writer copies the header's entries, and the values, which
// it keeps, are never reused).
type Event struct {
	Kind Kind

	// Head fields.
	Status int
	Header http.Header
	Stream Stream

	// SSE fields (Data is also the payload of a Chunk).
	Name string
	Data []byte

	// Raw, when set on an SSE event, is the event exactly as it arrived from
	// upstream, including its blank-line terminator. The Writer sends it
	// verbatim so forwarded bytes pass unchanged; a stage that alters the
	// event clears Raw.
	Raw []byte

	// Flush, on a Chunk, asks the Writer to flush it at once even when the
	// body has a Content-Length (which otherwise lets it buffer): a
	// throttled body must trickle, not arrive in bursts.
	Flush bool
}

// Sink receives a response's events in order. An error means the response
// cannot continue (usually: the client went away); the source stops.
type Sink interface {
	Send(ev Event) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event) error

// Send implements Sink.
func (f SinkFunc) Send(ev Event) error { return f(ev) }
