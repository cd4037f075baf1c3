package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// goldenResponse is one of the simulator's golden files: the exact bytes
// every endpoint answers with, which the content fault must edit.
type goldenResponse struct {
	status int
	header http.Header
	body   []byte
}

// readGolden parses simulate/testdata/golden/NAME.txt: a status line, the
// headers, a blank line, the body.
func readGolden(t testing.TB, name string) goldenResponse {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "simulate", "testdata", "golden", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok {
		t.Fatalf("%s: no blank line after the headers", name)
	}
	lines := strings.Split(string(head), "\n")
	status, err := strconv.Atoi(strings.TrimPrefix(lines[0], "HTTP "))
	if err != nil {
		t.Fatalf("%s: status line %q", name, lines[0])
	}
	g := goldenResponse{status: status, header: http.Header{}, body: body}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		g.header.Add(k, v)
	}
	return g
}

// framing is the stream framing of path's answers.
func framing(path string) wire.Stream {
	switch {
	case strings.HasSuffix(path, "/responses"):
		return wire.OpenAIResponses
	case strings.HasSuffix(path, "/messages"):
		return wire.Anthropic
	case strings.HasSuffix(path, ":streamGenerateContent"):
		return wire.Gemini
	}
	return wire.OpenAIChat
}

// isStream reports whether the golden response is an event stream.
func (g goldenResponse) isStream() bool {
	return strings.HasPrefix(g.header.Get("Content-Type"), "text/event-stream")
}

// events is the response as a source sends it: a head, the body as one
// chunk or as its SSE events (split by the real parser), the end.
func (g goldenResponse) events(t testing.TB, path string) []wire.Event {
	t.Helper()
	head := wire.Event{Kind: wire.Head, Status: g.status, Header: g.header.Clone()}
	evs := []wire.Event{head}
	if !g.isStream() {
		evs = append(evs, wire.Event{Kind: wire.Chunk, Data: g.body})
		return append(evs, wire.Event{Kind: wire.End})
	}
	evs[0].Stream = framing(path)
	var p wire.SSEParser
	err := p.Feed(g.body, func(ev wire.Event) error {
		evs = append(evs, copyEvent(ev)) // Data and Raw are only valid here
		return nil
	})
	if err != nil || len(p.Pending()) != 0 {
		t.Fatalf("golden stream: %v, %d bytes left over", err, len(p.Pending()))
	}
	return append(evs, wire.Event{Kind: wire.End})
}

func copyEvent(ev wire.Event) wire.Event {
	ev.Header = ev.Header.Clone()
	ev.Data = bytes.Clone(ev.Data)
	ev.Raw = bytes.Clone(ev.Raw)
	return ev
}

// teeSink records copies of what passes it on the way to the writer.
type teeSink struct {
	out wire.Sink
	got []wire.Event
}

func (s *teeSink) Send(ev wire.Event) error {
	s.got = append(s.got, copyEvent(ev))
	return s.out.Send(ev)
}

// contentRun is what came of sending one response through the stage.
type contentRun struct {
	rec  *httptest.ResponseRecorder
	in   []wire.Event
	outs [][]wire.Event // outs[i]: what left the stage while in[i] was sent
}

// runContent sends in through c's stage into a real wire.Writer. Like a
// source, it reuses each event's buffers once Send returns (scribbling
// over them), so a stage that keeps them without copying shows up.
func runContent(t *testing.T, c *Content, provider, path string, in []wire.Event) contentRun {
	t.Helper()
	x, _ := testExchange(provider)
	x.Path = path
	rec, w := recorder()
	tee := &teeSink{out: w}
	s := c.Wrap(context.Background(), x, tee)
	r := contentRun{rec: rec, in: in, outs: make([][]wire.Event, len(in))}
	for i, ev := range in {
		before := len(tee.got)
		send := copyEvent(ev)
		if err := s.Send(send); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		scribble(send.Data)
		scribble(send.Raw)
		for k := range send.Header {
			send.Header[k] = []string{"scribbled"}
		}
		r.outs[i] = tee.got[before:]
	}
	return r
}

func scribble(b []byte) {
	for i := range b {
		b[i] = '#'
	}
}

// answer is what a client makes of a response, whatever its shape.
type answer struct {
	finish  []string // finish_reason per choice; stop_reason; Responses status[:reason]
	text    string
	refusal string
	tools   []string // tool-call names, in order
	args    []string // tool-call arguments, in order (deltas joined)
}

// readAnswer reads the answer the writer delivered: the body, or every
// event of the stream, which must be well-formed.
func readAnswer(t *testing.T, path string, stream bool, body []byte) answer {
	t.Helper()
	if !stream {
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, body)
		}
		return bodyAnswer(t, path, v)
	}
	var evs []wire.Event
	var p wire.SSEParser
	_ = p.Feed(body, func(ev wire.Event) error {
		evs = append(evs, copyEvent(ev))
		return nil
	})
	if len(p.Pending()) != 0 {
		t.Fatalf("stream ends inside an event: %q", p.Pending())
	}
	if len(evs) == 0 || !framing(path).Terminal(evs[len(evs)-1]) {
		t.Fatalf("stream lost its terminal event")
	}
	datas := make([]map[string]any, 0, len(evs))
	for _, ev := range evs {
		if string(ev.Data) == "[DONE]" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal(ev.Data, &v); err != nil {
			t.Fatalf("event %q data is not JSON: %v\n%s", ev.Name, err, ev.Data)
		}
		if typ, _ := v["type"].(string); ev.Name != "" && typ != ev.Name {
			t.Errorf("event named %q has type %q", ev.Name, typ)
		}
		datas = append(datas, v)
	}
	return streamAnswer(t, path, datas)
}

func bodyAnswer(t *testing.T, path string, v map[string]any) answer {
	var a answer
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
		for _, ch := range list(v["choices"]) {
			a.finish = append(a.finish, str(ch["finish_reason"]))
			m := obj(ch["message"])
			a.text += str(m["content"])
			a.refusal += str(m["refusal"])
			for _, tc := range list(m["tool_calls"]) {
				f := obj(tc["function"])
				a.tools, a.args = append(a.tools, str(f["name"])), append(a.args, str(f["arguments"]))
			}
		}
	case strings.HasSuffix(path, "/completions"):
		for _, ch := range list(v["choices"]) {
			a.finish, a.text = append(a.finish, str(ch["finish_reason"])), a.text+str(ch["text"])
		}
	case strings.HasSuffix(path, "/responses"):
		a = responseAnswer(v)
	case strings.HasSuffix(path, "/messages"):
		a.finish = []string{str(v["stop_reason"])}
		for _, b := range list(v["content"]) {
			switch str(b["type"]) {
			case "text":
				a.text += str(b["text"])
			case "tool_use":
				in, _ := json.Marshal(b["input"])
				a.tools, a.args = append(a.tools, str(b["name"])), append(a.args, string(in))
			}
		}
	default:
		t.Fatalf("no reader for %s", path)
	}
	return a
}

func responseAnswer(v map[string]any) answer {
	a := answer{finish: []string{str(v["status"])}}
	if d := obj(v["incomplete_details"]); d != nil {
		a.finish[0] += ":" + str(d["reason"])
	}
	for _, it := range list(v["output"]) {
		switch str(it["type"]) {
		case "message":
			for _, p := range list(it["content"]) {
				a.text += str(p["text"])
				a.refusal += str(p["refusal"])
			}
		case "function_call":
			a.tools, a.args = append(a.tools, str(it["name"])), append(a.args, str(it["arguments"]))
		}
	}
	return a
}

// streamAnswer pieces the answer together from a stream's events, as an
// SDK's accumulator does.
func streamAnswer(t *testing.T, path string, datas []map[string]any) answer {
	var a answer
	args := map[string]string{}
	var order []string
	addArgs := func(key, piece string) {
		if _, ok := args[key]; !ok {
			order = append(order, key)
		}
		args[key] += piece
	}
	var final map[string]any // the Responses API's last response object
	for _, v := range datas {
		switch {
		case strings.HasSuffix(path, "/chat/completions"):
			for _, ch := range list(v["choices"]) {
				if f := str(ch["finish_reason"]); f != "" {
					a.finish = append(a.finish, f)
				}
				d := obj(ch["delta"])
				a.text, a.refusal = a.text+str(d["content"]), a.refusal+str(d["refusal"])
				for _, tc := range list(d["tool_calls"]) {
					f := obj(tc["function"])
					key := fmt.Sprint(ch["index"], "/", tc["index"])
					if n := str(f["name"]); n != "" {
						a.tools = append(a.tools, n)
					}
					addArgs(key, str(f["arguments"]))
				}
			}
		case strings.HasSuffix(path, "/completions"):
			for _, ch := range list(v["choices"]) {
				if f := str(ch["finish_reason"]); f != "" {
					a.finish = append(a.finish, f)
				}
				a.text += str(ch["text"])
			}
		case strings.HasSuffix(path, "/responses"):
			switch str(v["type"]) {
			case "response.output_text.delta":
				a.text += str(v["delta"])
			case "response.refusal.delta":
				a.refusal += str(v["delta"])
			case "response.function_call_arguments.delta":
				addArgs(str(v["item_id"]), str(v["delta"]))
			case "response.output_item.added":
				if it := obj(v["item"]); str(it["type"]) == "function_call" {
					a.tools = append(a.tools, str(it["name"]))
				}
			case "response.completed", "response.incomplete", "response.failed":
				final = obj(v["response"])
			}
		case strings.HasSuffix(path, "/messages"):
			switch str(v["type"]) {
			case "message_delta":
				a.finish = append(a.finish, str(obj(v["delta"])["stop_reason"]))
			case "content_block_start":
				if b := obj(v["content_block"]); str(b["type"]) == "tool_use" {
					a.tools = append(a.tools, str(b["name"]))
				}
			case "content_block_delta":
				d := obj(v["delta"])
				a.text += str(d["text"])
				if str(d["type"]) == "input_json_delta" {
					addArgs(fmt.Sprint(v["index"]), str(d["partial_json"]))
				}
			}
		}
	}
	for _, k := range order {
		a.args = append(a.args, args[k])
	}
	if final != nil {
		// The summary must say what the deltas said.
		f := responseAnswer(final)
		if f.text != a.text || f.refusal != a.refusal || strings.Join(f.args, "|") != strings.Join(a.args, "|") ||
			strings.Join(f.tools, "|") != strings.Join(a.tools, "|") {
			t.Errorf("the deltas add up to %+v, the final response says %+v", a, f)
		}
		a.finish = f.finish
	}
	return a
}

func list(v any) []map[string]any {
	var out []map[string]any
	for _, e := range asSlice(v) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func str(v any) string { s, _ := v.(string); return s }
