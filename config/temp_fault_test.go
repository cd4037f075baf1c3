package config

import "testing"

func TestParseTempFaultErrorsArePositionedInTheBody(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"unknown fault type", "{\n  \"faults\": [{\"boom\": {}}],\n  \"ttl\": \"1s\"\n}",
			[]string{`request body:2:15: unknown fault type "boom" (one of abort, backpressure, body,`}},
		{"bad status", `{"faults": [{"error": {"status": 200}}], "ttl": "1s"}`,
			[]string{`request body:1:13: error: status 200 is not an error status (400..599)`}},
		{"a wrong type", `{"faults": [{"error": {"status": "x"}}], "ttl": "1s"}`,
			[]string{`request body:1:34: faults[0].error.status: expected an integer, got "x"`}},
		{"unknown field", `{"faults": [{"abort": {}}], "ttl": "1s", "tll": "2s"}`,
			[]string{`request body:1:42: unknown field "tll" in the top level (known: faults, match, scope, ttl)`}},
		{"no ttl", `{"faults": [{"abort": {}}]}`,
			[]string{`request body:1:1: ttl is missing`}},
		{"ttl too long", `{"faults": [{"abort": {}}], "ttl": "25h"}`,
			[]string{`request body:1:36: ttl 25h0m0s is longer than a temporary fault may last (24h)`}},
		{"ttl not positive", `{"faults": [{"abort": {}}], "ttl": "0s"}`,
			[]string{`request body:1:36: ttl must be positive`}},
		{"bad duration", `{"faults": [{"abort": {}}], "ttl": "soon"}`,
			[]string{`request body:1:36: ttl: `}},
		{"no faults", `{"ttl": "1s"}`,
			[]string{`request body:1:1: faults is missing`}},
		{"scopes disagree", `{"match": {"scope": "a"}, "faults": [{"abort": {}}], "ttl": "1s", "scope": "b"}`,
			[]string{`request body:1:76: scope "b" and match.scope "a" disagree`}},
		{"bad glob", `{"match": {"model": "gpt-["}, "faults": [{"abort": {}}], "ttl": "1s"}`,
			[]string{`request body:1:11: match.model: "gpt-[" is not a valid glob`}},
		{"two faults in one", `{"faults": [{"abort": {}, "hang": {}}], "ttl": "1s"}`,
			[]string{`request body:1:13: a fault is a one-key map naming one type; this one names [abort hang]`}},
		{"not JSON", `{"faults": [`, []string{`request body:1: did not find expected node content`}},
		{"empty", ``, []string{`request body: the body is empty`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTempFault(BodyName, []byte(c.body), true)
			wantErrors(t, err, c.want...)
		})
	}
}
