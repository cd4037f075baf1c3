package config

import (
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// expandEnv replaces ${NAME} and ${NAME:-default} in every scalar of the
// tree, node by node, so positions stay those of the file. "$$" is a
// literal "$". An unset variable without a default is an error. A plain
// (unquoted) scalar that changed is re-typed by its new text, so
// "port: ${PORT}" is still a number.
func expandEnv(n *yaml.Node, lookup func(string) (string, bool), e *errs) {
	if n.Kind == yaml.ScalarNode {
		v, changed, missing := expand(n.Value, lookup)
		for _, name := range missing {
			e.at(n, "environment variable %s is not set (write ${%s:-default} to give a default)", name, name)
		}
		if changed {
			n.Value = v
			if n.Style == 0 { // plain: let yaml type the new text
				n.Tag = ""
			}
		}
		return
	}
	for _, c := range n.Content {
		expandEnv(c, lookup, e)
	}
}

// expand does the substitution on one string.
func expand(s string, lookup func(string) (string, bool)) (out string, changed bool, missing []string) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '$':
			b.WriteByte('$')
			i++
			changed = true
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String(), changed, missing
			}
			expr := s[i+2 : i+end]
			name, def, hasDef := strings.Cut(expr, ":-")
			if v, ok := lookup(name); ok && (v != "" || !hasDef) {
				b.WriteString(v)
			} else if hasDef {
				b.WriteString(def)
			} else {
				missing = append(missing, name)
			}
			i += end
			changed = true
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), changed, missing
}

func osLookup(name string) (string, bool) { return os.LookupEnv(name) }
