package simulate

// Canned is a scripted answer: a rule's respond, in place of a generated
// one. Unset fields take what the answer implies.
type Canned struct {
	// Text is the answer's text; nil with tool calls means none.
	Text *string
	// ToolCalls are calls to answer with.
	ToolCalls []CannedCall
	// FinishReason (OpenAI terms: stop, length, tool_calls,
	// content_filter) or StopReason (Anthropic terms: end_turn,
	// max_tokens, stop_sequence, tool_use, refusal) sets how the answer
	// ends; either is translated for the other provider. Default: tool
	// calls end as tool calls, text as a natural stop.
	FinishReason string
	StopReason   string
	// PromptTokens and OutputTokens override the counted usage.
	PromptTokens *int
	OutputTokens *int
}

// CannedCall is a scripted tool call.
type CannedCall struct {
	Name      string
	Arguments string // JSON
}

// finishByName maps both providers' words to the simulator's.
var finishByName = map[string]finish{
	"stop": finishStop, "end_turn": finishStop,
	"length": finishLength, "max_tokens": finishLength,
	"tool_calls": finishToolCalls, "tool_use": finishToolCalls,
	"stop_sequence":  finishStopSequence,
	"content_filter": finishFiltered, "refusal": finishFiltered,
}

// planCanned fills ch with the scripted answer: its text and calls cut
// into the pieces a stream sends, billed by the counting rule unless the
// script says otherwise.
func (p *prompt) planCanned(ch *choice, c *Canned, newID func() string, provider string) {
	if c.Text != nil {
		ch.text = piecesOf(splitTokens(*c.Text))
	}
	tokens := ch.text.len()
	for _, call := range c.ToolCalls {
		args := call.Arguments
		if args == "" {
			args = "{}"
		}
		ch.calls = append(ch.calls, plannedCall{id: newID(), name: call.Name, args: args, pieces: splitTokens(args)})
		tokens += CountTokens(args) + CountTokens(call.Name)
	}
	ch.finish = finishStop
	if len(ch.calls) > 0 {
		ch.finish = finishToolCalls
	}
	name := c.FinishReason
	if provider == "anthropic" && c.StopReason != "" || name == "" {
		name = c.StopReason
	}
	if f, ok := finishByName[name]; ok {
		ch.finish = f
	}
	ch.tokens = tokens
	if c.OutputTokens != nil {
		ch.tokens = *c.OutputTokens
	}
}
