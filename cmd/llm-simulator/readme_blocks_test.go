package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's code blocks, as the README tests read them.

// splitAssignments splits "A=1 B=2 cmd …" into the assignments and the
// command.
func splitAssignments(line string) (env []string, rest string) {
	rest = line
	for {
		word, after, _ := strings.Cut(rest, " ")
		name, _, ok := strings.Cut(word, "=")
		if !ok || name == "" || strings.ContainsAny(name, "-'\"$/.") {
			return env, rest
		}
		env, rest = append(env, word), after
	}
}

// shellBlocks returns each sh block of page (relative to the repository)
// as its commands: continuation lines joined, comments and blank lines
// left out.
func shellBlocks(t *testing.T, page string) [][]string {
	t.Helper()
	var blocks [][]string
	for _, b := range fencedBlocks(t, page, "sh") {
		var cmds []string
		cont := ""
		for _, line := range strings.Split(b, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if strings.HasSuffix(line, "\\") {
				cont += strings.TrimSuffix(line, "\\")
				continue
			}
			cmds = append(cmds, cont+line)
			cont = ""
		}
		blocks = append(blocks, cmds)
	}
	return blocks
}

// shownConfig is a yaml block; name is the file a `# NAME.yaml` first
// line tells the reader to save it as.
type shownConfig struct{ name, text string }

var savedAs = regexp.MustCompile(`^# ([\w.-]+\.yaml)\n`)

func yamlBlocks(t *testing.T, page string) []shownConfig {
	t.Helper()
	var out []shownConfig
	for _, b := range fencedBlocks(t, page, "yaml") {
		c := shownConfig{text: b}
		if m := savedAs.FindStringSubmatch(b); m != nil {
			c.name = m[1]
		}
		out = append(out, c)
	}
	return out
}

// fencedBlocks returns the bodies of page's ```lang blocks.
func fencedBlocks(t *testing.T, page, lang string) []string {
	t.Helper()
	var out []string
	var cur *strings.Builder
	for _, line := range strings.Split(string(mustRead(t, filepath.Join("../..", page))), "\n") {
		switch {
		case cur == nil && line == "```"+lang:
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return out
}
