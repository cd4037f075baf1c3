package faults

import "testing"

func TestContentZZDebug(t *testing.T) {
	for _, c := range []struct{ g string; f Content }{
		{"chat-tools-stream", Content{Finish: "refusal"}},
		{"chat-tools-stream", Content{InvalidToolArguments: true, UnknownTool: "x"}},
		{"responses-stream", Content{Finish: "refusal"}},
		{"responses-tools-stream", Content{Finish: "length", InvalidToolArguments: true}},
		{"messages-tools-stream", Content{InvalidToolArguments: true}},
		{"chat-tools", Content{Finish: "refusal"}},
		{"responses", Content{Finish: "length"}},
		{"completions-stream", Content{Finish: "refusal"}},
	} {
		p, path := contentEndpoint(c.g)
		g := contentSource(t, c.g)
		run := runContent(t, &c.f, p, path, g.events(t, path))
		t.Logf("==== %s %+v\n%v\n%s", c.g, c.f, run.rec.Header(), run.rec.Body.String())
	}
}
