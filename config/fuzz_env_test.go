package config

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseEnv loads arbitrary files in which every ${NAME} resolves to
// one arbitrary value (or to nothing, when set is false). Expansion works
// node by node, so whatever the value holds — newlines, quotes, YAML of
// its own — every error still points inside the file given, and the
// faults of an accepted config build (rules.FuzzParse builds whole
// sets). Along the way, "$$" must escape any value: a string with each
// "$" doubled expands back to itself.
func FuzzParseEnv(f *testing.F) {
	f.Add([]byte("version: 1\nadmin: {listen: \"127.0.0.1:${PORT:-0}\", token: \"${TOKEN}\"}\n"), "9090", true)
	f.Add([]byte("version: 1\nseed: ${SEED}\nrules: [{name: a, faults: [{error: {status: ${S}}}]}]\n"), "429", true)
	f.Add([]byte("version: 1\nrules:\n  - name: ${N}\n    faults:\n      - latency: {dist: constant, value: ${V:-1s}}\n"), "x\n  bogus: 1", true)
	f.Add([]byte("version: 1\nrules: [{name: a, faults: [{error: {status: 500, ${K}: 1}}]}]\n"), "probability", false)
	f.Add([]byte("version: 1\nlisten: $${NOT_A_VAR}\nrules: [{name: \"${A}${B:-}\", match: {model: \"${M}\"}}]\n"), "}{${", true)
	f.Fuzz(func(t *testing.T, data []byte, value string, set bool) {
		escaped := strings.ReplaceAll(value, "$", "$$")
		if got, _, missing := expand(escaped, func(string) (string, bool) { return "", false }); got != value || missing != nil {
			t.Fatalf("%q expands to %q (missing %v), want %q", escaped, got, missing, value)
		}
		lookup := func(string) (string, bool) { return value, set }
		cfg, err := Parse("fuzz.yaml", data, Options{LookupEnv: lookup})
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error of type %T: %v", err, err)
			}
			lines := yamlLines(data)
			for _, e := range list {
				if e.File != "fuzz.yaml" || e.Line < 0 || e.Line > lines || e.Col < 0 || e.Msg == "" {
					t.Fatalf("error outside the file's %d lines: %#v", lines, e)
				}
			}
			return
		}
		for _, r := range cfg.Rules {
			for i := range r.Faults {
				if _, _, err := r.Faults[i].Check(); err != nil {
					t.Fatalf("rule %q: an accepted fault does not build: %v", r.Name, err)
				}
			}
		}
	})
}

// yamlLines counts lines as YAML does: a line ends with LF, CRLF or a
// lone CR.
func yamlLines(data []byte) int {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
}
