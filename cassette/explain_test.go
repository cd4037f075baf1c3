package cassette

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// body is a chat request body from JSON text.
func body(method, path, provider, json string) *Request {
	return &Request{Cassette: "suite-a", Method: method, Provider: provider, Path: path, Body: []byte(json)}
}

const capital = "What is the capital of France, and which river flows through it?"

// explainStore records a few recordings in cassette suite-a, returning
// the file of the one the tests' requests are nearest to.
func explainStore(t *testing.T) (*Store, string) {
	s := open(t, Options{Dir: t.TempDir(), KeyHeaders: []string{"X-Test-Id"}})
	record(t, s, body("POST", "/v1/chat/completions", "openai",
		`{"model":"gpt-4o","max_tokens":50,"messages":[{"role":"system","content":"Be verbose."},{"role":"user","content":"Write a poem."}]}`),
		plainBody("poem"))
	near := body("POST", "/v1/chat/completions", "openai",
		`{"model":"gpt-4o-mini","temperature":0.2,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"`+capital+`"}]}`)
	near.Header = http.Header{"X-Test-Id": {"t1"}}
	file := record(t, s, near, plainBody("Paris"))
	record(t, s, body("POST", "/v1/responses", "openai",
		`{"model":"gpt-4o","temperature":0.2,"input":[{"role":"system","content":"Be brief."},{"role":"user","content":"`+capital+`"}]}`),
		plainBody("resp"))
	record(t, s, body("POST", "/v1/messages", "anthropic",
		`{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"`+capital+`"}]}`),
		plainBody("claude"))
	return s, file
}

func TestExplain(t *testing.T) {
	s, nearFile := explainStore(t)
	cases := []struct {
		name    string
		req     *Request
		nearest string // "" means nearFile
		want    []string
		testID  string
	}{
		{"model and content", body("POST", "/v1/chat/completions", "openai",
			`{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is the capital of Spain, and which river flows through it?"}]}`),
			"", []string{`model: "gpt-4o" vs "gpt-4o-mini"`, `header X-Test-Id: absent vs "t1"`, "messages[1].content differs"}, ""},
		{"short values, absent member, stream", body("POST", "/v1/chat/completions", "openai",
			`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"`+capital+`"}]}`),
			"", []string{"stream: true vs false", `messages[0].content: "Be terse." vs "Be brief."`, "temperature: absent vs 0.2"}, "t1"},
		{"more messages", body("POST", "/v1/chat/completions", "openai",
			`{"model":"gpt-4o-mini","temperature":0.2,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"`+capital+`"},{"role":"user","content":"Thanks"}]}`),
			"", []string{"messages: 3 items vs 2"}, "t1"},
		{"another path", body("POST", "/v1/responses", "openai", `{"model":"o3","input":"hi"}`),
			"/v1/responses", []string{`model: "o3" vs "gpt-4o"`, `input: "hi" vs 2 items`, "temperature: absent vs 0.2"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.testID != "" {
				c.req.Header = http.Header{"X-Test-Id": {c.testID}}
			}
			m := s.Explain(c.req)
			if m == nil {
				t.Fatal("Explain reports a hit")
			}
			switch {
			case c.nearest == "" && m.Nearest != nearFile:
				t.Errorf("nearest %s, want %s", m.Nearest, nearFile)
			case c.nearest != "" && !strings.Contains(m.Nearest, "v1-responses"):
				t.Errorf("nearest %s, want the %s recording", m.Nearest, c.nearest)
			}
			if !slices.Equal(m.Differences, c.want) {
				t.Errorf("differences:\n%q\nwant\n%q", m.Differences, c.want)
			}
		})
	}
}

func TestExplainEmpty(t *testing.T) {
	s, _ := explainStore(t)
	cases := []struct {
		req  *Request
		want string
	}{
		{&Request{Cassette: "other", Method: "POST", Provider: "openai", Path: "/v1/chat/completions"},
			`no recording matched POST /v1/chat/completions (openai, cassette "other"): the cassette holds no recordings`},
		{&Request{Cassette: "suite-a", Method: "POST", Provider: "gemini", Path: "/v1beta/models"},
			`no recording matched POST /v1beta/models (gemini, cassette "suite-a"): the cassette holds no recordings for gemini`},
	}
	for _, c := range cases {
		m := s.Explain(c.req)
		if m == nil || m.Nearest != "" || m.String() != c.want {
			t.Errorf("Explain = %v\nwant %s", m, c.want)
		}
	}
}

// At most six differences are named, the route's first.
func TestExplainCapsDifferences(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir()})
	record(t, s, body("POST", "/v1/chat/completions", "openai", `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1}`), plainBody("x"))
	m := s.Explain(body("POST", "/v1/chat/completions", "openai", `{"a":2,"b":2,"c":2,"d":2,"e":2,"f":2,"g":2,"stream":true}`))
	want := []string{"stream: true vs false", "a: 2 vs 1", "b: 2 vs 1", "c: 2 vs 1", "d: 2 vs 1", "and 3 more"}
	if !slices.Equal(m.Differences, want) {
		t.Errorf("differences %q, want %q", m.Differences, want)
	}
	want0 := "no recording matched POST /v1/chat/completions (openai, cassette \"suite-a\", stream): nearest is " +
		m.Nearest + ": stream: true vs false; a: 2 vs 1"
	if got := m.String(); !strings.HasPrefix(got, want0) {
		t.Errorf("String() = %s\nwant it to start %s", got, want0)
	}
}

// A miss is counted, kept among the recent ones and logged; Explain on a
// hit says nothing and takes no turn.
func TestReplayMiss(t *testing.T) {
	var log logLines
	s := open(t, Options{Dir: t.TempDir(), Log: log.logger().Level(-1), Now: ticking()})
	r := chat("gpt-4o", "hi", false)
	record(t, s, r, plainBody("first"))
	record(t, s, r, plainBody("second"))
	if m := s.Explain(r); m != nil {
		t.Errorf("Explain on a hit: %s", m)
	}
	if got := text(replay(t, s, r, "", RepeatLast)); !strings.Contains(got, "first") {
		t.Errorf("Explain took a turn: the first replay got %q", got)
	}
	for i := range recentMisses + 6 {
		_, m, err := s.Replay(chat("gpt-4o", fmt.Sprint(i), false), "scope-1", RepeatLast)
		if m == nil || err != nil {
			t.Fatalf("Replay = %v, %v; want a miss", m, err)
		}
		if m.Scope != "scope-1" || m.Nearest == "" {
			t.Errorf("miss %+v", m)
		}
	}
	misses := s.Misses()
	if len(misses) != recentMisses || !strings.Contains(string(misses[0].Differences[0]), `"6"`) {
		t.Errorf("%d recent misses, the oldest %v; want %d from the 7th", len(misses), misses[0].Differences, recentMisses)
	}
	if st := s.Stats(); st.Misses != recentMisses+6 || st.Hits != 1 {
		t.Errorf("stats %+v", st)
	}
	debug := log.lines("debug")
	if len(debug) != recentMisses+6 || !strings.Contains(debug[0], "no recording matched POST /v1/chat/completions") {
		t.Errorf("%d debug lines, the first %s", len(debug), debug[0])
	}
}

// A Miss made by hand, with no explanation, is still one clean sentence.
func TestMissStringBare(t *testing.T) {
	m := &Miss{Method: "POST", Path: "/v1/messages", Provider: "anthropic", Scope: "t1"}
	want := `no recording matched POST /v1/messages (anthropic, root cassette, scope "t1")`
	if got := m.String(); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}
