package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/llm-simulator/llm-simulator/simulate/schemagen"
)

// prompt is a request reduced to what generation needs, whatever the
// provider.
type prompt struct {
	model           string
	data            TemplateData
	afterToolResult bool // the last message is a tool result
	tools           []toolDef
	choice          toolChoice
	maxTokens       int // < 0: unbounded
	stop            []string
	n               int
	cap             answerCap // each answer's share of the response budget
	schema          []byte    // JSON output wanted: the schema, or jsonObjectSchema
	canned          *Canned   // a scripted answer, in place of a generated one
	provider        string
	thinkingBudget  int  // > 0: think first (Anthropic)
	thinkingOmitted bool // thinking is billed and signed but its text withheld
}

type toolDef struct {
	name   string
	schema []byte // the parameters' JSON Schema; nil means any object
}

type toolMode uint8

const (
	toolsAuto toolMode = iota
	toolsNone
	toolsRequired
	toolsNamed
)

type toolChoice struct {
	mode toolMode
	name string // for toolsNamed
}

// jsonObjectSchema shapes the answer to response_format json_object.
var jsonObjectSchema = []byte(`{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}`)

type finish uint8

const (
	finishStop finish = iota
	finishLength
	finishToolCalls
	finishStopSequence
	finishFiltered // content_filter (OpenAI), refusal (Anthropic)
)

// plannedCall is a tool call with its arguments cut into the fragments a
// stream sends.
type plannedCall struct {
	id, name, args string
	pieces         []string
}

// choice is one planned answer. Its emission units, in order, are the
// thinking pieces, the text pieces and each call's argument pieces.
type choice struct {
	thinking []string
	text     textPieces
	calls    []plannedCall
	finish   finish
	stopSeq  string // the stop sequence that ended the text
	tokens   int    // completion tokens, thinking included
}

func (ch *choice) units() int {
	n := len(ch.thinking) + ch.text.len()
	for _, c := range ch.calls {
		n += len(c.pieces)
	}
	return n
}

func (ch *choice) content() string { return ch.text.join() }

// errBadSchema marks a tool or output schema that cannot be satisfied; the
// caller reports it as the provider's 400.
type errBadSchema struct {
	tool string // empty for the output schema
	err  error
}

func (e *errBadSchema) Error() string {
	if e.tool == "" {
		return fmt.Sprintf("invalid output schema: %v", e.err)
	}
	return fmt.Sprintf("invalid schema for function '%s': %v", e.tool, e.err)
}

// plan draws the answers to p into buf (grown as needed). newID names tool
// calls in the provider's format.
func (p *prompt) plan(m *Model, r *rand.Rand, newID func() string, buf []choice) ([]choice, error) {
	out := buf[:0]
	if n := max(p.n, 1); cap(out) >= n {
		out = out[:n]
	} else {
		out = make([]choice, n)
	}
	for i := range out {
		if err := p.planOne(&out[i], m, r, newID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *prompt) planOne(ch *choice, m *Model, r *rand.Rand, newID func() string) error {
	if p.canned != nil {
		p.planCanned(ch, p.canned, newID, p.provider)
		return nil
	}
	budget := p.maxTokens
	most, spent := p.cap.most(), 0
	if p.thinkingBudget > 0 {
		thinking := lorem(r, atMost(min(draw(m.OutputTokens, r), p.thinkingBudget), most))
		n, used := p.cap.fit(thinking, 0)
		ch.thinking, spent = thinking.slice(0, n).strings(), used
		if budget >= 0 {
			budget = max(budget-len(ch.thinking), 0)
		}
	}
	if tool := p.pickTool(m, r); tool != nil {
		return p.planCall(ch, tool, r, newID, budget, spent)
	}
	var text textPieces
	if p.schema != nil {
		js, err := schemagen.Generate(p.schema, r, schemagen.Options{Words: loremWords})
		if err != nil {
			return &errBadSchema{err: err}
		}
		text = piecesOf(splitTokens(string(js)))
	} else {
		text = m.Text.pieces(&p.data, r, draw(m.OutputTokens, r), most)
	}
	used := text.len()
	if len(p.stop) > 0 {
		var cut []string
		cut, ch.stopSeq, used = cutAtStop(text.strings(), p.stop, used)
		text = piecesOf(cut)
	}
	if ch.stopSeq != "" {
		ch.finish = finishStopSequence
	}
	if budget >= 0 && text.len() > budget {
		text, used = text.slice(0, budget), budget
		ch.finish, ch.stopSeq = finishLength, ""
	}
	if fits, _ := p.cap.fit(text, spent); fits < text.len() {
		// The response budget ends the answer as max_tokens would.
		text, used = text.slice(0, fits), fits
		ch.finish, ch.stopSeq = finishLength, ""
	}
	ch.text = text
	ch.tokens = len(ch.thinking) + used
	return nil
}

// pickTool decides whether this answer calls a tool, and which.
func (p *prompt) pickTool(m *Model, r *rand.Rand) *toolDef {
	if len(p.tools) == 0 {
		return nil
	}
	switch p.choice.mode {
	case toolsNone:
		return nil
	case toolsNamed:
		for i := range p.tools {
			if p.tools[i].name == p.choice.name {
				return &p.tools[i]
			}
		}
		return nil
	case toolsAuto:
		// A tool result is answered in words: the loop the app runs ends.
		if p.afterToolResult || r.Float64() >= m.ToolCallProbability {
			return nil
		}
	}
	return &p.tools[r.IntN(len(p.tools))]
}

func (p *prompt) planCall(ch *choice, t *toolDef, r *rand.Rand, newID func() string, budget, spent int) error {
	schema := t.schema
	if len(schema) == 0 {
		schema = []byte(`{"type":"object"}`)
	}
	args, err := schemagen.Generate(schema, r, schemagen.Options{Words: loremWords})
	if err != nil {
		return &errBadSchema{tool: t.name, err: err}
	}
	call := plannedCall{id: newID(), name: t.name, args: string(args), pieces: splitTokens(string(args))}
	ch.finish = finishToolCalls
	if fits, _ := p.cap.fit(piecesOf(call.pieces), spent); fits < len(call.pieces) && (budget < 0 || budget > fits) {
		budget = fits // the response budget binds as max_tokens would
	}
	if budget >= 0 && len(call.pieces) > budget {
		call.pieces = call.pieces[:budget]
		call.args = strings.Join(call.pieces, "")
		ch.finish = finishLength
	}
	ch.calls = []plannedCall{call}
	ch.tokens = len(ch.thinking) + len(call.pieces) + CountTokens(t.name)
	return nil
}

// cutAtStop ends the text before the earliest stop sequence. used counts
// the pieces generated, including the one that completed the stop
// sequence, which the providers bill though they do not return it.
func cutAtStop(pieces, stops []string, used int) ([]string, string, int) {
	if len(stops) == 0 {
		return pieces, "", used
	}
	text := strings.Join(pieces, "")
	at, seq := -1, ""
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 && (at < 0 || i < at) {
			at, seq = i, s
		}
	}
	if at < 0 {
		return pieces, "", used
	}
	var kept []string
	end := at + len(seq) // the stop sequence ends inside piece used-1
	pos := 0
	for i, pc := range pieces {
		if pos < at {
			kept = append(kept, pc[:min(len(pc), at-pos)])
		}
		pos += len(pc)
		if pos >= end {
			return kept, seq, i + 1
		}
	}
	return kept, seq, len(pieces)
}

// draw samples a token count: at least 1.
func draw(d interface{ Sample(*rand.Rand) float64 }, r *rand.Rand) int {
	v := math.Round(d.Sample(r))
	if v < 1 || math.IsNaN(v) {
		return 1
	}
	return int(min(v, 1<<20))
}
