package faults

import "strings"

// argBreaker turns tool-call arguments into text that is not JSON, the
// way a model's broken call is: the closing bracket of the top-level
// object goes missing, as if the model stopped one token short. (Arguments
// that are not an object or array get a stray '{' in front instead.)
//
// Streams send arguments in pieces and the last piece is only known once
// a later event arrives, so the breaker reads the pieces in order and
// keeps just enough state — nesting depth, inside a string, after a
// backslash — to recognise that bracket in whichever piece holds it. Fed
// the pieces one by one or the whole text at once, it drops the same
// byte, so a stream's deltas and its summary events (…arguments.done,
// response.completed) stay consistent with each other.
type argBreaker struct {
	started  bool // a byte other than white space has been seen
	inString bool
	escaped  bool
	depth    int
}

// feed returns piece as the client should see it.
func (a *argBreaker) feed(piece string) string {
	var b strings.Builder
	b.Grow(len(piece) + 1)
	for i := 0; i < len(piece); i++ {
		c := piece[i]
		if !a.started && !isJSONSpace(c) {
			a.started = true
			if c != '{' && c != '[' {
				b.WriteByte('{')
			}
		}
		if !a.drops(c) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// drops advances the state past c and reports whether c is the closing
// bracket of the top-level value.
func (a *argBreaker) drops(c byte) bool {
	if a.inString {
		switch {
		case a.escaped:
			a.escaped = false
		case c == '\\':
			a.escaped = true
		case c == '"':
			a.inString = false
		}
		return false
	}
	switch c {
	case '"':
		a.inString = true
	case '{', '[':
		a.depth++
	case '}', ']':
		a.depth--
		return a.depth == 0
	}
	return false
}

// breakArgs breaks a whole arguments text; empty arguments stay empty
// (they are not JSON already, and there is nothing to cut).
func breakArgs(s string) string {
	var a argBreaker
	return a.feed(s)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
