package simulate

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/llm-simulator/llm-simulator/wire"
)

// The response budget: no simulated answer is larger than
// Config.MaxResponseBytes, whatever the request asks for, so that a small
// request cannot make a huge answer or hold the memory to build one.
//
// It is kept in three places, each catching what the one before cannot:
//
//   - before anything is generated, a request whose own numbers — inputs
//     times dimensions for embeddings, n times max_tokens, the text an
//     echo repeats — ask for more than the budget gets the provider's 400
//     for an over-long request (overBudget);
//   - while planning, each answer's text stops where its share of the
//     budget is spent, with the finish reason of an answer cut at its
//     max_tokens (answerCap), so that no plan holds more than the budget;
//   - while sending, budgetSink counts the bytes every path emits: a
//     whole body over the budget is replaced by the 400 before its head
//     goes out, and a stream that reaches it ends with the provider's
//     stream error. Neither should happen once the first two have run;
//     it is the guarantee, whatever path a future change adds.

// DefaultMaxResponseBytes is the budget when the config sets none.
const DefaultMaxResponseBytes = 8 << 20

// responseBudget is the budget in force.
func (c *Config) responseBudget() int64 {
	if c.MaxResponseBytes > 0 {
		return c.MaxResponseBytes
	}
	return DefaultMaxResponseBytes
}

// overBudget is the provider's 400 for a request whose answer would be
// about want bytes, over the budget: the over-long-request error of each
// API (OpenAI's context_length_exceeded, Anthropic's and Gemini's
// invalid argument), with a message that says which limit refused it.
func overBudget(provider string, want, budget int64) *wire.APIError {
	msg := "This request asks for an answer of about " + strconv.FormatInt(want, 10) +
		" bytes, more than the " + strconv.FormatInt(budget, 10) +
		" bytes this server answers " + limitsNote("simulate.max_response_bytes") +
		". Please reduce the number of inputs or choices, or the length asked for."
	switch provider {
	case "anthropic":
		return badRequest("", "", "%s", msg)
	case "gemini":
		return geminiInvalid("%s", msg)
	}
	return badRequest("", "context_length_exceeded", "%s", msg)
}

// budgetCut is the stream error of an answer cut at the budget.
func budgetCut(budget int64) *wire.APIError {
	return &wire.APIError{Status: http.StatusBadRequest,
		Message: "The answer reached the " + strconv.FormatInt(budget, 10) + " bytes this server answers " +
			limitsNote("simulate.max_response_bytes") + " and was cut."}
}

// errBudget stops an emulator whose stream budgetSink has ended.
var errBudget = errors.New("simulate: response budget spent")

// sseFraming is what an SSE event adds to its name and data on the wire:
// "event: ", "data: " and the line breaks.
const sseFraming = 16

// budgetSink passes a call's events on while they fit the budget. It is
// the last guard: see the package note above.
type budgetSink struct {
	next      wire.Sink
	d         wire.Dialect
	budget    int64
	left      int64
	stream    wire.Stream
	events    int  // SSE events passed, the Responses API's sequence_number
	swallow   bool // the answer was replaced: drop the rest of it
	requestID string
}

// cutReserve is budget kept for the error event that ends a stream cut
// at the budget, so that even a cut answer stays within it.
const cutReserve = 1 << 10

func (b *budgetSink) reset(next wire.Sink, d wire.Dialect, budget int64, requestID string) {
	*b = budgetSink{next: next, d: d, budget: budget, left: max(budget-cutReserve, budget/2), requestID: requestID}
}

// Send implements wire.Sink.
func (b *budgetSink) Send(ev wire.Event) error {
	if b.swallow {
		return nil
	}
	switch ev.Kind {
	case wire.Head:
		b.stream = ev.Stream
		if n := contentLength(ev); ev.Status < http.StatusMultipleChoices && n > b.left {
			b.swallow = true
			return wire.WriteError(b.next, b.d, overBudget(b.d.Name(), n, b.budget), b.requestID)
		}
	case wire.SSE, wire.Chunk:
		cost := int64(len(ev.Data) + len(ev.Name))
		if ev.Kind == wire.SSE {
			cost += sseFraming
		}
		if cost > b.left {
			return b.cut()
		}
		b.left -= cost
		if ev.Kind == wire.SSE {
			b.events++
		}
	}
	return b.next.Send(ev)
}

// cut ends a response that reached the budget: a stream with its
// provider's error event, a body (whose head promised more) by stopping.
func (b *budgetSink) cut() error {
	b.swallow = true
	if b.stream != wire.NotStream {
		if err := b.next.Send(b.stream.ErrorEvent(budgetCut(b.budget), b.events)); err != nil {
			return err
		}
		if err := b.next.Send(wire.Event{Kind: wire.End}); err != nil {
			return err
		}
	}
	return errBudget
}

// contentLength is a head's Content-Length, -1 when it has none.
func contentLength(ev wire.Event) int64 {
	v := ev.Header["Content-Length"]
	if len(v) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// asked is what a request asks of its answer's size, for bound.
type asked struct {
	// param is the request field that set the prompt's max tokens, for
	// OpenAI's refusal.
	param string
	// stream: each token is an event of its own, framing and all.
	stream bool
	// logprobs is how many alternatives each token lists; -1: no
	// log-probabilities.
	logprobs int
	// copies is how many times the answer's text appears in it (the
	// Responses API's stream repeats it in its done events); 0 means 1.
	copies int
	// echo is what each choice repeats of the request (legacy
	// completions' echo), in bytes.
	echo int
	// fixed is what the answer repeats of the request once, whatever the
	// choices (the Responses API's instructions and tools), in bytes.
	fixed int
	// prompts is how many prompts share the budget, each with the
	// prompt's n choices (legacy completions); 0 means 1.
	prompts int
}

// Budget bytes kept for what an answer holds besides its text: the ids,
// usage and other fixed members, and each choice's own.
const (
	envelopeBytes = 4 << 10
	choiceBytes   = 1 << 10
)

// bound checks a planned request against its model's output limit and
// the response budget (the provider's 400 when over either), and gives
// each of its answers its share of the budget. The prompt's provider must
// be set (Call.script).
func (c *Call) bound(p *prompt, m *Model, a asked) *wire.APIError {
	if e := p.tooManyTokens(m, a.param); e != nil {
		return e
	}
	budget := c.Config.responseBudget()
	choices := int64(max(a.prompts, 1)) * int64(max(p.n, 1))
	want := int64(a.fixed) + choices*int64(a.echo)
	if p.maxTokens > 0 {
		want += choices * int64(p.maxTokens) // a token is at least a byte
	}
	if want > budget {
		return overBudget(p.provider, want, budget)
	}
	share := (budget-int64(a.fixed)-envelopeBytes)/choices - choiceBytes - int64(a.echo)
	p.cap = answerCap{on: true, bytes: int(max(0, share)), copies: max(a.copies, 1), perToken: tokenCost(p.model, a)}
	return nil
}

// tokenCost is what each token of an answer adds to it besides its text,
// generously: a stream's event around it (whose members name the model),
// and its log-probability with the alternatives asked for.
func tokenCost(model string, a asked) int {
	cost := 0
	if a.stream {
		cost += 320 + len(model)
	}
	if a.logprobs >= 0 {
		cost += max(a.copies, 1) * (96 + 96*(a.logprobs+1))
	}
	return cost
}

// answerCap is one answer's share of the response budget, for the plan:
// its text (and thinking, and tool-call arguments) stops where the share
// is spent, as at max_tokens.
type answerCap struct {
	on       bool // false: no cap (a prompt bound never saw)
	bytes    int  // the share
	copies   int  // times each piece appears in the answer
	perToken int  // bytes each token adds besides its text
}

// most is how many tokens generation need make: one more than the share
// can hold (each token is at least a byte), so that the plan sees the
// answer go past it and ends it for length; -1 when there is no cap.
func (a *answerCap) most() int {
	if !a.on {
		return -1
	}
	return a.bytes/(a.copies+a.perToken) + 1
}

// fit is how many of pieces fit in what the share has left, spent being
// taken already, and the bytes they take, escaped as JSON. A lorem
// answer, whose pieces are short words, is walked only when it might not
// fit.
func (a *answerCap) fit(pieces textPieces, spent int) (n, used int) {
	left := a.bytes - spent
	if !a.on {
		return pieces.len(), 0
	}
	if most := pieces.len() * (a.copies*maxLoremBytes + a.perToken); pieces.ids != nil && most <= left {
		return pieces.len(), most
	}
	for i := range pieces.len() {
		c := a.copies*jsonLen(pieces.at(i)) + a.perToken
		if used+c > left {
			return i, used
		}
		used += c
	}
	return pieces.len(), used
}

// maxLoremBytes is the longest lorem piece.
var maxLoremBytes = func() (n int) {
	for _, s := range loremTable {
		n = max(n, len(s))
	}
	return n
}()

// jsonLen is how long s is as the inside of a JSON string: control
// characters take six bytes (\u0001), quotes, backslashes and the usual
// escapes two.
func jsonLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			n++
		case c < 0x20:
			n += 5
		}
	}
	return n
}
