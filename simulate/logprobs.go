package simulate

import "math"

// logprobs is a choice's log-probability information.
type logprobs struct {
	Content []tokenLogprob `json:"content"`
	Refusal []tokenLogprob `json:"refusal"`
}

type tokenLogprob struct {
	Token       string       `json:"token"`
	Logprob     float64      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogprobs []topLogprob `json:"top_logprobs"`
}

type topLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// newLogprobs makes plausible log-probabilities for pieces, the tokens of
// choice i from position first on. They come from their own RNG keyed by
// position, so asking for them changes nothing else in the answer, and a
// stream reports the same values as the whole answer.
func newLogprobs(seed uint64, choice, first int, pieces []string, top int) *logprobs {
	lp := &logprobs{Content: make([]tokenLogprob, len(pieces))}
	for k, p := range pieces {
		r := newRNG(seed^uint64(choice)<<32^uint64(first+k), 0x10b)
		chosen := -0.02 - r.ExpFloat64()*0.4
		tl := tokenLogprob{Token: p, Logprob: round4(chosen), Bytes: byteList(p), TopLogprobs: make([]topLogprob, 0, top)}
		if top > 0 {
			tl.TopLogprobs = append(tl.TopLogprobs, topLogprob{p, tl.Logprob, tl.Bytes})
		}
		alt := chosen
		for j := 1; j < top; j++ {
			alt -= 0.5 + r.ExpFloat64()
			w := loremTable[loremPlain+uint16(r.IntN(len(loremWords)))]
			tl.TopLogprobs = append(tl.TopLogprobs, topLogprob{w, round4(alt), byteList(w)})
		}
		lp.Content[k] = tl
	}
	return lp
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func byteList(s string) []int {
	b := make([]int, len(s))
	for i := range len(s) {
		b[i] = int(s[i])
	}
	return b
}
