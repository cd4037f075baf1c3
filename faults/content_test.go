package faults

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// check is one expectation on the answer a client gets (got), compared
// with the answer it would have got without the fault (orig); body is
// what the writer delivered.
type check func(t *testing.T, orig, got answer, body string)

func finishIs(want string) check {
	return func(t *testing.T, orig, got answer, _ string) {
		if len(got.finish) == 0 || len(got.finish) != len(orig.finish) {
			t.Errorf("finish %q, was %q", got.finish, orig.finish)
		}
		for _, f := range got.finish {
			if f != want {
				t.Errorf("finish %q, want %q", got.finish, want)
			}
		}
	}
}

func finishKept(t *testing.T, orig, got answer, _ string) {
	if strings.Join(got.finish, ",") != strings.Join(orig.finish, ",") {
		t.Errorf("finish %q, was %q", got.finish, orig.finish)
	}
}

func textIs(want string) check {
	return func(t *testing.T, _, got answer, _ string) {
		if got.text != want {
			t.Errorf("text %q, want %q", got.text, want)
		}
	}
}

func textKept(t *testing.T, orig, got answer, _ string) {
	if got.text != orig.text || orig.text == "" {
		t.Errorf("text %q, was %q", got.text, orig.text)
	}
}

func refusalIs(want string) check {
	return func(t *testing.T, _, got answer, _ string) {
		if got.refusal != want {
			t.Errorf("refusal %q, want %q", got.refusal, want)
		}
	}
}

func toolsNamed(want string) check {
	return func(t *testing.T, orig, got answer, _ string) {
		if len(got.tools) == 0 || len(got.tools) != len(orig.tools) {
			t.Errorf("tools %q, were %q", got.tools, orig.tools)
		}
		for _, n := range got.tools {
			if n != want {
				t.Errorf("tool %q, want %q", n, want)
			}
		}
	}
}

func toolsKept(t *testing.T, orig, got answer, _ string) {
	if len(orig.tools) == 0 || strings.Join(got.tools, ",") != strings.Join(orig.tools, ",") {
		t.Errorf("tools %q, were %q", got.tools, orig.tools)
	}
}

func toolsNone(t *testing.T, _, got answer, _ string) {
	if len(got.tools)+len(got.args) != 0 {
		t.Errorf("a refusal still calls %q %q", got.tools, got.args)
	}
}

func argsBroken(t *testing.T, orig, got answer, _ string) {
	if len(got.args) == 0 || len(got.args) != len(orig.args) {
		t.Fatalf("arguments %q, were %q", got.args, orig.args)
	}
	for i, a := range got.args {
		if !json.Valid([]byte(orig.args[i])) || json.Valid([]byte(a)) {
			t.Errorf("arguments %q (were %q) still parse", a, orig.args[i])
		}
	}
}

func argsKept(t *testing.T, orig, got answer, _ string) {
	if len(orig.args) == 0 || strings.Join(got.args, "|") != strings.Join(orig.args, "|") {
		t.Errorf("arguments %q, were %q", got.args, orig.args)
	}
}

func bodyHas(subs ...string) check {
	return func(t *testing.T, _, _ answer, body string) {
		for _, s := range subs {
			if !strings.Contains(body, s) {
				t.Errorf("delivered body lacks %s", s)
			}
		}
	}
}

// contentEndpoints maps a golden file's name to its provider and path.
func contentEndpoint(name string) (provider, path string) {
	switch {
	case strings.HasPrefix(name, "chat"):
		return "openai", "/v1/chat/completions"
	case strings.HasPrefix(name, "completions"):
		return "openai", "/v1/completions"
	case strings.HasPrefix(name, "responses"):
		return "openai", "/v1/responses"
	}
	return "anthropic", "/v1/messages"
}

// contentSource is a golden file, or for the two non-streaming tool
// answers the simulator has no golden file of, one made from another.
func contentSource(t *testing.T, name string) goldenResponse {
	switch name {
	case "responses-tools":
		// The response that responses-tools-stream completes with.
		g := readGolden(t, "responses-tools-stream")
		var done struct{ Response json.RawMessage }
		i := bytes.Index(g.body, []byte(`{"type":"response.completed"`))
		if err := json.Unmarshal(bytes.TrimSpace(g.body[i:]), &done); err != nil {
			t.Fatal(err)
		}
		return jsonGolden(readGolden(t, "responses").header, done.Response)
	case "messages-tools":
		g := readGolden(t, "messages")
		body := bytes.Replace(g.body,
			[]byte(`"content":[{"type":"text","text":"Morbi nibh culpa, nunc lectus, non dolor."}],"stop_reason":"end_turn"`),
			[]byte(`"content":[{"type":"tool_use","id":"toolu_01Abc","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use"`), 1)
		if bytes.Equal(body, g.body) {
			t.Fatal("messages golden changed shape")
		}
		return jsonGolden(g.header, body)
	}
	return readGolden(t, name)
}

func jsonGolden(h http.Header, body []byte) goldenResponse {
	h = h.Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return goldenResponse{status: http.StatusOK, header: h, body: body}
}

// alwaysKept are events no option touches: openings and endings.
var alwaysKept = map[wire.Stream][]string{
	wire.OpenAIChat:      {"[DONE]"},
	wire.OpenAIResponses: {`"type":"response.created"`, `"type":"response.in_progress"`},
	wire.Anthropic:       {`"type":"message_start"`, `"type":"ping"`, `"type":"content_block_stop"`, `"type":"message_stop"`},
}

func TestContentEditsEveryEndpoint(t *testing.T) {
	const r = refusalText
	cases := []struct {
		golden string
		fault  Content
		checks []check
		keep   []string // stream events holding any of these must come out byte for byte
		same   bool     // the body must come out byte for byte
	}{
		// Chat completions.
		{golden: "chat", fault: Content{Finish: "length"}, checks: []check{finishIs("length"), textKept}},
		{golden: "chat", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("content_filter"), textKept}},
		{golden: "chat", fault: Content{Finish: "refusal"}, checks: []check{finishIs("stop"), textIs(""), refusalIs(r),
			bodyHas(`"content":null,"refusal":"I'm sorry, but I can't help with that."`)}},
		{golden: "chat", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept, bodyHas(`"content":""`, `"usage":{"prompt_tokens":8,"completion_tokens":10`)}},
		{golden: "chat", fault: Content{UnknownTool: "delete_everything", InvalidToolArguments: true}, same: true},
		{golden: "chat-n2-length", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("content_filter")}},
		{golden: "chat-logprobs", fault: Content{Empty: true}, checks: []check{textIs(""), bodyHas(`"logprobs":null`)}},
		{golden: "chat-stream", fault: Content{Finish: "length"}, checks: []check{finishIs("length"), textKept},
			keep: []string{`"delta":{"role"`, `"delta":{"content"`, `"choices":[]`}},
		{golden: "chat-stream", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("content_filter"), textKept}},
		{golden: "chat-stream", fault: Content{Finish: "refusal"}, checks: []check{finishIs("stop"), textIs(""), refusalIs(r)},
			keep: []string{`"delta":{"role"`, `"finish_reason":"stop"`, `"choices":[]`}},
		{golden: "chat-stream", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept},
			keep: []string{`"delta":{"role"`, `"finish_reason":"stop"`, `"choices":[]`}},
		{golden: "chat-tools", fault: Content{InvalidToolArguments: true}, checks: []check{argsBroken, toolsKept, finishKept}},
		{golden: "chat-tools", fault: Content{UnknownTool: "delete_everything"}, checks: []check{toolsNamed("delete_everything"), argsKept}},
		{golden: "chat-tools", fault: Content{Finish: "refusal"}, checks: []check{toolsNone, refusalIs(r), finishIs("stop")}},
		{golden: "chat-tools", fault: Content{Finish: "length", UnknownTool: "x", InvalidToolArguments: true},
			checks: []check{finishIs("length"), toolsNamed("x"), argsBroken}},
		{golden: "chat-tools-stream", fault: Content{InvalidToolArguments: true}, checks: []check{argsBroken, toolsKept, finishKept},
			keep: []string{`"finish_reason":"tool_calls"`, `"arguments":"city"`}},
		{golden: "chat-tools-stream", fault: Content{UnknownTool: "delete_everything"}, checks: []check{toolsNamed("delete_everything"), argsKept},
			keep: []string{`"arguments":"city"`, `"arguments":"\"}"`}},
		{golden: "chat-tools-stream", fault: Content{Finish: "refusal"}, checks: []check{toolsNone, refusalIs(r), finishIs("stop")}},
		{golden: "chat-tools-stream", fault: Content{Finish: "length", UnknownTool: "x", InvalidToolArguments: true},
			checks: []check{finishIs("length"), toolsNamed("x"), argsBroken}},

		// Legacy completions.
		{golden: "completions", fault: Content{Finish: "length"}, checks: []check{finishIs("length"), textKept}},
		{golden: "completions", fault: Content{Finish: "refusal"}, checks: []check{finishIs("stop"), textIs(r)}},
		{golden: "completions", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept}},
		{golden: "completions-stream", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("content_filter"), textKept},
			keep: []string{`"text":"Felis"`}},
		{golden: "completions-stream", fault: Content{Finish: "refusal"}, checks: []check{finishIs("stop"), textIs(r)}},
		{golden: "completions-stream", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept},
			keep: []string{`"finish_reason":"length"`}},

		// Responses API.
		{golden: "responses", fault: Content{Finish: "length"}, checks: []check{finishIs("incomplete:max_output_tokens"), textKept,
			bodyHas(`"status":"incomplete","background"`, `"type":"message","status":"incomplete"`)}},
		{golden: "responses", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("incomplete:content_filter"), textKept}},
		{golden: "responses", fault: Content{Finish: "refusal"}, checks: []check{finishIs("completed"), textIs(""), refusalIs(r),
			bodyHas(`"content":[{"type":"refusal","refusal":"I'm sorry, but I can't help with that."}]`)}},
		{golden: "responses", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept}},
		{golden: "responses-tools", fault: Content{InvalidToolArguments: true}, checks: []check{argsBroken, toolsKept, finishKept}},
		{golden: "responses-tools", fault: Content{UnknownTool: "delete_everything"}, checks: []check{toolsNamed("delete_everything"), argsKept}},
		{golden: "responses-stream", fault: Content{Finish: "length"}, checks: []check{finishIs("incomplete:max_output_tokens"), textKept,
			bodyHas("event: response.incomplete\n")}, keep: []string{`"type":"response.output_text.delta"`, `"type":"response.content_part.done"`}},
		{golden: "responses-stream", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("incomplete:content_filter"), textKept}},
		{golden: "responses-stream", fault: Content{Finish: "refusal"}, checks: []check{finishIs("completed"), textIs(""), refusalIs(r),
			bodyHas("event: response.refusal.delta\n", "event: response.refusal.done\n")}},
		{golden: "responses-stream", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept},
			keep: []string{`"type":"response.output_item.added"`}},
		{golden: "responses-tools-stream", fault: Content{InvalidToolArguments: true}, checks: []check{argsBroken, toolsKept, finishKept},
			keep: []string{`"type":"response.output_item.added"`, `"delta":"city"`}},
		{golden: "responses-tools-stream", fault: Content{UnknownTool: "delete_everything"},
			checks: []check{toolsNamed("delete_everything"), argsKept}, keep: []string{`"type":"response.function_call_arguments.delta"`}},
		{golden: "responses-tools-stream", fault: Content{Finish: "length"}, checks: []check{finishIs("incomplete:max_output_tokens"), argsKept}},

		// Anthropic messages.
		{golden: "messages", fault: Content{Finish: "length"}, checks: []check{finishIs("max_tokens"), textKept}},
		{golden: "messages", fault: Content{Finish: "content_filter"}, checks: []check{finishIs("refusal"), textKept}},
		{golden: "messages", fault: Content{Finish: "refusal"}, checks: []check{finishIs("refusal"), textKept}},
		{golden: "messages", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept, bodyHas(`"output_tokens":10`)}},
		{golden: "messages-tools", fault: Content{UnknownTool: "delete_everything"}, checks: []check{toolsNamed("delete_everything"), argsKept}},
		// A message's input is an object in the body: left whole (see content_anthropic.go).
		{golden: "messages-tools", fault: Content{InvalidToolArguments: true}, same: true},
		{golden: "messages-stream", fault: Content{Finish: "length"}, checks: []check{finishIs("max_tokens"), textKept},
			keep: []string{`"type":"text_delta"`, `"type":"content_block_start"`}},
		{golden: "messages-stream", fault: Content{Finish: "refusal"}, checks: []check{finishIs("refusal"), textKept}},
		{golden: "messages-stream", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept},
			keep: []string{`"type":"content_block_start"`, `"type":"message_delta"`}},
		{golden: "messages-tools-stream", fault: Content{InvalidToolArguments: true}, checks: []check{argsBroken, toolsKept, finishKept},
			keep: []string{`"type":"content_block_start"`, `"type":"message_delta"`}},
		{golden: "messages-tools-stream", fault: Content{UnknownTool: "delete_everything"},
			checks: []check{toolsNamed("delete_everything"), argsKept}, keep: []string{`"input_json_delta"`}},
		{golden: "messages-tools-stream", fault: Content{Finish: "content_filter", UnknownTool: "x", InvalidToolArguments: true},
			checks: []check{finishIs("refusal"), toolsNamed("x"), argsBroken}},
		{golden: "messages-thinking-stream", fault: Content{Empty: true}, checks: []check{textIs(""), finishKept},
			keep: []string{`"thinking_delta"`, `"signature_delta"`, `"type":"content_block_start"`}},
	}
	for _, c := range cases {
		t.Run(c.golden+"/"+contentFaultName(c.fault), func(t *testing.T) {
			if err := c.fault.Validate(); err != nil {
				t.Fatal(err)
			}
			provider, path := contentEndpoint(c.golden)
			g := contentSource(t, c.golden)
			run := runContent(t, &c.fault, provider, path, g.events(t, path))
			body := run.rec.Body.Bytes()
			orig := readAnswer(t, path, g.isStream(), g.body)
			got := readAnswer(t, path, g.isStream(), body)
			if g.isStream() {
				checkStreamEdits(t, run, append(alwaysKept[framing(path)], c.keep...))
			} else {
				checkBodyEdit(t, run, g, c.same)
			}
			for _, ck := range c.checks {
				ck(t, orig, got, string(body))
			}
		})
	}
}

// checkStreamEdits checks each event of a stream against what became of
// it: dropped, passed on byte for byte (Raw and all), or changed for real
// and still JSON; the events in keep must pass byte for byte.
func checkStreamEdits(t *testing.T, run contentRun, keep []string) {
	t.Helper()
	touched := 0 // events changed or dropped
	for i, in := range run.in {
		outs := run.outs[i]
		if in.Kind != wire.SSE {
			if len(outs) != 1 || outs[0].Kind != in.Kind {
				t.Errorf("%s event became %v", in.Kind, outs)
			}
			continue
		}
		kept := false
		for _, k := range keep {
			kept = kept || bytes.Contains(in.Data, []byte(k))
		}
		switch {
		case len(outs) > 1:
			t.Errorf("event %d became %d events", i, len(outs))
		case len(outs) == 0:
			touched++
			if kept {
				t.Errorf("event %d was dropped: %s", i, in.Data)
			}
		case outs[0].Raw != nil:
			if !bytes.Equal(outs[0].Raw, in.Raw) || !bytes.Equal(outs[0].Data, in.Data) {
				t.Errorf("event %d passed with other bytes:\n%s\n%s", i, in.Raw, outs[0].Raw)
			}
			if !bytes.Contains(run.rec.Body.Bytes(), in.Raw) {
				t.Errorf("event %d is not in the delivered body byte for byte", i)
			}
		default:
			touched++
			if kept {
				t.Errorf("event %d was changed:\n%s\n%s", i, in.Data, outs[0].Data)
			}
			if bytes.Equal(outs[0].Data, in.Data) || !json.Valid(outs[0].Data) {
				t.Errorf("event %d re-encoded without a change, or not JSON: %s", i, outs[0].Data)
			}
		}
	}
	if touched == 0 {
		t.Error("no event changed")
	}
}

// checkBodyEdit checks a body's head and length, and that a body the
// fault has nothing to do in passes byte for byte.
func checkBodyEdit(t *testing.T, run contentRun, g goldenResponse, same bool) {
	t.Helper()
	body := run.rec.Body.Bytes()
	if cl := run.rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %s for a body of %d bytes", cl, len(body))
	}
	if run.rec.Code != g.status || run.rec.Header().Get("Content-Type") != g.header.Get("Content-Type") {
		t.Errorf("status %d, content type %q", run.rec.Code, run.rec.Header().Get("Content-Type"))
	}
	if eq := bytes.Equal(body, g.body); eq != same {
		t.Errorf("body unchanged: %v, want %v\n%s", eq, same, body)
	}
}

func contentFaultName(c Content) string {
	var parts []string
	if c.Finish != "" {
		parts = append(parts, "finish="+c.Finish)
	}
	if c.InvalidToolArguments {
		parts = append(parts, "invalid_args")
	}
	if c.UnknownTool != "" {
		parts = append(parts, "unknown_tool")
	}
	if c.Empty {
		parts = append(parts, "empty")
	}
	return strings.Join(parts, "+")
}
