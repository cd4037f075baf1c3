package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/config/units"
	"gopkg.in/yaml.v3"
)

// Error is one problem in a config file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem found in a file, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

func (l ErrorList) sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
	return l
}

// errs collects positioned problems during one load.
type errs struct {
	file string
	list ErrorList
	// lines is the file's line count, when known: yaml.v3 puts the empty
	// node of a file holding only "---" on a line after the last, and an
	// error must point at a line the user's editor shows.
	lines int
	// pruned are the positions of the values the schema check refused
	// and replaced by null (prunedNull): a later check that finds the
	// null there has nothing to add to what was said.
	pruned map[[2]int]bool
}

// prunedNull is the null that takes the place of n, refused and
// reported, at n's position.
func (e *errs) prunedNull(n *yaml.Node) *yaml.Node {
	if e.pruned == nil {
		e.pruned = map[[2]int]bool{}
	}
	e.pruned[[2]int{e.line(n.Line), n.Column}] = true
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}

// dropRepeats removes the problems found from index from on that stand at
// a pruned value, already reported by the schema check.
func (e *errs) dropRepeats(from int) {
	kept := e.list[:from]
	for _, err := range e.list[from:] {
		if !e.pruned[[2]int{err.Line, err.Col}] {
			kept = append(kept, err)
		}
	}
	e.list = kept
}

// line is a position's line, kept within the file.
func (e *errs) line(l int) int {
	if e.lines > 0 && l > e.lines {
		return e.lines
	}
	return l
}

func (e *errs) at(n *yaml.Node, format string, args ...any) {
	e.list = append(e.list, &Error{File: e.file, Line: e.line(n.Line), Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// yamlPos is the position yaml.v3 puts in front of its own messages;
// the unmarshalers' own are units.Errorf's.
var yamlPos = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

func (e *errs) fromYAML(err error) {
	if te, ok := err.(*yaml.TypeError); ok {
		for _, s := range te.Errors {
			e.add(s)
		}
		return
	}
	e.add(err.Error())
}

// addAll adds the problems an unmarshaler kept, each positioned.
func (e *errs) addAll(problems []string) {
	for _, s := range problems {
		e.add(s)
	}
}

func (e *errs) add(s string) {
	if line, col, msg, ok := units.Position(s); ok {
		e.list = append(e.list, &Error{File: e.file, Line: e.line(line), Col: col, Msg: msg})
		return
	}
	if m := yamlPos.FindStringSubmatch(s); m != nil {
		line, _ := strconv.Atoi(m[1])
		e.list = append(e.list, &Error{File: e.file, Line: e.line(line), Msg: s[len(m[0]):]})
		return
	}
	e.list = append(e.list, &Error{File: e.file, Msg: strings.TrimPrefix(s, "yaml: ")})
}
