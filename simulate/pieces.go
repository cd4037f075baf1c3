package simulate

import "strings"

// textPieces is an answer's text, token by token. A lorem answer, what
// load tests stream by the thousand, is held as indices into loremTable:
// two bytes a token where a string takes sixteen, which an open stream
// keeps for its whole life (BenchmarkOpenStreams). Other answers hold
// their strings.
type textPieces struct {
	strs []string
	ids  []uint16 // into loremTable, when strs is nil
}

func piecesOf(s []string) textPieces { return textPieces{strs: s} }

func (p textPieces) len() int {
	if p.strs != nil {
		return len(p.strs)
	}
	return len(p.ids)
}

func (p textPieces) at(i int) string {
	if p.strs != nil {
		return p.strs[i]
	}
	return loremTable[p.ids[i]]
}

// slice is pieces i to j.
func (p textPieces) slice(i, j int) textPieces {
	if p.strs != nil {
		return textPieces{strs: p.strs[i:j]}
	}
	return textPieces{ids: p.ids[i:j]}
}

// strings is the pieces as strings; a lorem answer's are made here.
func (p textPieces) strings() []string {
	if p.strs != nil || p.ids == nil {
		return p.strs
	}
	out := make([]string, len(p.ids))
	for i, id := range p.ids {
		out[i] = loremTable[id]
	}
	return out
}

// bytes is the text's length in bytes.
func (p textPieces) bytes() int {
	n := 0
	for i := range p.len() {
		n += len(p.at(i))
	}
	return n
}

// join is the text whole.
func (p textPieces) join() string {
	if p.strs != nil {
		return strings.Join(p.strs, "")
	}
	var b strings.Builder
	b.Grow(p.bytes())
	for _, id := range p.ids {
		b.WriteString(loremTable[id])
	}
	return b.String()
}
