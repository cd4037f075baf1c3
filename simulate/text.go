package simulate

import (
	"errors"
	"math/rand/v2"
	"strings"
	"text/template"
)

// TextMode selects how an answer's words are made.
type TextMode uint8

// The text generators.
const (
	// Lorem is lorem-ipsum prose, as long as the output_tokens
	// distribution says, deterministic for a given seed and request.
	Lorem TextMode = iota
	// Echo repeats the last user message.
	Echo
	// Fixed answers with the configured text.
	Fixed
	// Template renders a text/template over TemplateData.
	Template
)

// Text is a configured text generator.
type Text struct {
	Mode TextMode
	// Fixed is the answer in Fixed mode.
	Fixed string
	// Template is the template in Template mode; it is executed with a
	// TemplateData.
	Template *template.Template
}

// TemplateData is what a text template can refer to.
type TemplateData struct {
	Model           string // the model the request named
	Provider        string // "openai", "anthropic"
	Endpoint        string // the request path, e.g. /v1/chat/completions
	LastUserMessage string // the text of the last user message
	System          string // the system prompt, if any
	Messages        int    // the number of messages in the conversation
	PromptTokens    int    // the estimated prompt tokens
}

// pieces returns the answer's token pieces. want is the drawn length, used
// by Lorem; the other modes are as long as their text. None makes more
// than most pieces (the response budget's bound; < 0: no bound), so that
// an echo of a huge message or a template that loops is not built whole
// only to be cut.
func (t *Text) pieces(d *TemplateData, r *rand.Rand, want, most int) textPieces {
	switch t.Mode {
	case Echo:
		return piecesOf(splitTokensMost(d.LastUserMessage, most))
	case Fixed:
		return piecesOf(splitTokensMost(t.Fixed, most))
	case Template:
		b := cappedBuilder{most: most * (4*wordPieceRunes + 1)} // the longest a word piece can be
		if t.Template != nil && (t.Template.Execute(&b, d) == nil || b.full) {
			return piecesOf(splitTokensMost(b.String(), most))
		}
		// A template that fails on this request's data answers with
		// nothing rather than failing the call: the data, not the
		// request, is at fault, and config loading already parsed it.
		return textPieces{}
	}
	return lorem(r, atMost(want, most))
}

// atMost is n, or most when there is a bound (most >= 0) below n.
func atMost(n, most int) int {
	if most >= 0 && n > most {
		return most
	}
	return n
}

// cappedBuilder is a strings.Builder that takes no more than most bytes
// (most < 0: no bound): a write past it fails, which stops a template.
type cappedBuilder struct {
	strings.Builder
	most int
	full bool
}

var errTextFull = errors.New("simulate: answer text reached the response budget")

func (b *cappedBuilder) Write(p []byte) (int, error) {
	if b.most >= 0 && b.Len()+len(p) > b.most {
		b.full = true
		return 0, errTextFull
	}
	return b.Builder.Write(p)
}

// WriteString is Write for strings, which text/template uses.
func (b *cappedBuilder) WriteString(s string) (int, error) {
	if b.most >= 0 && b.Len()+len(s) > b.most {
		b.full = true
		return 0, errTextFull
	}
	return b.Builder.WriteString(s)
}

// loremWords are lorem-ipsum words short enough to be one token each by
// the counting rule, so re-counting an answer gives its completion tokens.
var loremWords = shortWords(`lorem ipsum dolor sit amet elit sed do tempor
	magna aliqua enim ad minim veniam quis ut labore et dolore nisi aliquip ex ea
	duis aute irure in velit esse cillum fugiat nulla sint non sunt culpa qui
	officia mollit anim id est eu nostrud ullamco dolor nibh vitae justo morbi
	proin lectus netus massa augue metus lacus urna purus risus felis nunc arcu
	porta neque ante diam odio erat orci quam eros leo nec mi`)

func shortWords(list string) []string {
	var out []string
	for _, w := range strings.Fields(list) {
		if len(w) <= wordPieceRunes {
			out = append(out, w)
		}
	}
	return out
}

// loremTable holds each word ready as it appears in text — first in the
// answer, first in a sentence, within one — then the comma and the full
// stop, so generating an answer allocates nothing per token and holds
// each as an index (textPieces).
var loremTable = func() (t []string) {
	for _, form := range []func(w string) string{
		func(w string) string { return strings.ToUpper(w[:1]) + w[1:] },
		func(w string) string { return " " + strings.ToUpper(w[:1]) + w[1:] },
		func(w string) string { return " " + w },
	} {
		for _, w := range loremWords {
			t = append(t, form(w))
		}
	}
	return append(t, ",", ".")
}()

// Where each form starts in loremTable.
var (
	loremFirst = uint16(0)
	loremCap   = uint16(len(loremWords))
	loremPlain = uint16(2 * len(loremWords))
	loremComma = uint16(3 * len(loremWords))
	loremStop  = loremComma + 1
)

// lorem returns n token pieces of lorem-ipsum sentences. Sentence lengths
// are bounded so that the last one ends with its full stop exactly at n.
func lorem(r *rand.Rand, n int) textPieces {
	out := make([]uint16, 0, n)
	for len(out) < n {
		left := n - len(out)
		k := min(5+r.IntN(10), max(left-1, 1)) // slots before the full stop
		if left-k-1 == 1 {
			k = left - 1 // never leave a single token for a sentence
		}
		for w := 0; w < k; w++ {
			i := uint16(r.IntN(len(loremWords)))
			switch {
			case len(out) == 0:
				out = append(out, loremFirst+i)
			case w == 0:
				out = append(out, loremCap+i)
			case w > 2 && w < k-1 && out[len(out)-1] != loremComma && r.IntN(10) == 0:
				out = append(out, loremComma)
			default:
				out = append(out, loremPlain+i)
			}
		}
		if len(out) < n {
			out = append(out, loremStop)
		}
	}
	return textPieces{ids: out}
}
