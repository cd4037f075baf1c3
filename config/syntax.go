package config

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a syntax error with a line and no column, and for the
// parser's errors (as opposed to the scanner's) that line is the one
// before the construct the parser was in, counted from 0: "line 1: did
// not find expected ',' or '}'" for a flow mapping left open on line 2.
// Its parser is not exported, so the position is found again from
// outside: the shortest prefix of the file that fails with the same
// message ends where the parser stopped. Prefixes that fail only because
// they are cut short fail with another message ("found unexpected end of
// stream", …) and do not count.

// syntaxProblem is a YAML syntax error's message, without yaml.v3's
// "yaml: line N: " prefix.
func syntaxProblem(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlPos.FindStringSubmatch(s); m != nil {
		s = s[len(m[0]):]
	}
	return s
}

// parsesWith reports whether data fails to parse with the message msg.
func parsesWith(data []byte, msg string) bool {
	var n yaml.Node
	err := yaml.Unmarshal(data, &n)
	return err != nil && syntaxProblem(err) == msg
}

// syntaxPosition is the 1-based line and column where the YAML in data
// stops parsing with err, or 0, 0 when it cannot be told. The end is
// searched by halves, first over whole lines, then within the line;
// each step parses a prefix of the file, so a file of n lines costs
// about log2(n) + log2(its longest line) parses.
func syntaxPosition(data []byte, err error) (line, col int) {
	msg := syntaxProblem(err)
	if !parsesWith(data, msg) {
		return 0, 0 // not a syntax error of the file as a whole
	}
	ends := lineEnds(data)
	// The first line whose end makes a prefix fail as the file does.
	lo, hi := 0, len(ends)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if parsesWith(data[:ends[mid]], msg) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	start := 0
	if lo > 0 {
		start = ends[lo-1]
	}
	// Within it, the first byte whose inclusion does.
	a, b := start+1, ends[lo]
	for a < b {
		mid := (a + b) / 2
		if parsesWith(data[:mid], msg) {
			b = mid
		} else {
			a = mid + 1
		}
	}
	text := bytes.TrimRight(data[start:a], "\r\n")
	if bytes.HasSuffix(text, []byte(":")) && strings.HasPrefix(msg, "did not find expected") {
		// A key at an indentation the block does not allow is known for
		// one at its colon; the key is what to fix.
		text = text[:len(text)-len(bytes.TrimLeft(text, " "))+1]
	}
	return lo + 1, max(utf8.RuneCount(text), 1) // 1: the line's end itself
}

// lineEnds are the offsets just past each line's end (its newline
// included), the last being len(data).
func lineEnds(data []byte) []int {
	var ends []int
	for i, c := range data {
		if c == '\n' || (c == '\r' && (i+1 == len(data) || data[i+1] != '\n')) {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	return ends
}

// syntax reports a YAML syntax error of data at the line and column where
// parsing stopped.
func (e *errs) syntax(data []byte, err error) {
	line, col := syntaxPosition(data, err)
	if line == 0 {
		e.fromYAML(err)
		return
	}
	e.list = append(e.list, &Error{File: e.file, Line: e.line(line), Col: col, Msg: syntaxProblem(err)})
}
