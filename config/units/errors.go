package units

import (
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// A custom unmarshaler reports through yaml.v3, which collects the
// strings of every *yaml.TypeError and goes on decoding. Each message is
// prefixed with its node's position in the private form "@line:col: ",
// which the config's loader (Position) turns back into a positioned
// error; yaml's own messages carry "line N: ".

// Errorf is a problem at n, positioned, as an unmarshaler returns it.
func Errorf(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("@%d:%d: ", n.Line, n.Column) + fmt.Sprintf(format, args...)}}
}

// Messages returns the strings an unmarshaler's error carries.
func Messages(err error) []string {
	if err == nil {
		return nil
	}
	if te, ok := err.(*yaml.TypeError); ok {
		return te.Errors
	}
	return []string{err.Error()}
}

var ownPos = regexp.MustCompile(`^@(\d+):(\d+): `)

// Position splits a message made by Errorf into its position and text;
// ok is false for a message without one.
func Position(s string) (line, col int, msg string, ok bool) {
	m := ownPos.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, s, false
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	return line, col, s[len(m[0]):], true
}

// WithoutPosition is a message made by Errorf without its position, for
// a caller that reports it at another node.
func WithoutPosition(s string) string {
	_, _, msg, _ := Position(s)
	return msg
}
