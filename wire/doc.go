// Package wire is the response path every source shares.
//
// The simulator, the forwarder and the cassette replayer all describe a
// response as a sequence of Events — a Head (status and headers), then SSE
// events or body chunks, then End — sent to a Sink. The last Sink in the
// chain is a Writer, which turns events into bytes on the client's
// connection:
//
//	source ──Send(Event)──► [stream faults, recorders …] ──► Writer ──► http.ResponseWriter
//
// The Writer holds back WriteHeader until the first body event, so a stage
// in between can still replace the status (an injected 429 before any byte
// went out), and it flushes after every SSE event so tokens reach the client
// when they are produced, never buffered.
//
// The package also holds each provider's dialect: the shape of its error
// bodies, the header carrying its request id, and (through Stream) how its
// event streams end and how an error is reported mid-stream. A fault written
// against these works for every provider and every source alike.
package wire
