package faults

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// geminiAnswer is what a client makes of a Gemini answer: the first
// candidate's text, function call names and last finishReason.
type geminiAnswer struct {
	text, finish string
	calls        []string
}

func readGeminiAnswer(t *testing.T, datas [][]byte) geminiAnswer {
	t.Helper()
	var a geminiAnswer
	for _, d := range datas {
		var r struct {
			Candidates []struct {
				Content struct {
					Parts []struct {
						Text         *string `json:"text"`
						FunctionCall *struct {
							Name string `json:"name"`
						} `json:"functionCall"`
					} `json:"parts"`
				} `json:"content"`
				FinishReason string `json:"finishReason"`
			} `json:"candidates"`
		}
		if err := json.Unmarshal(d, &r); err != nil || len(r.Candidates) == 0 {
			t.Fatalf("not a GenerateContentResponse: %v %s", err, d)
		}
		c := r.Candidates[0]
		for _, p := range c.Content.Parts {
			if p.Text != nil {
				a.text += *p.Text
			}
			if p.FunctionCall != nil {
				a.calls = append(a.calls, p.FunctionCall.Name)
			}
		}
		if c.FinishReason != "" {
			a.finish = c.FinishReason
		}
	}
	return a
}

// The content fault edits Gemini answers, plain and streamed, in
// Google's words.
func TestContentOnGemini(t *testing.T) {
	const gen, stream = "/v1beta/models/gemini-2.5-flash:generateContent", "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
	cases := []struct {
		golden, path string
		fault        Content
		text, finish string // "*": as the original
		calls        []string
	}{
		{"gemini-generate", gen, Content{Finish: "length"}, "*", "MAX_TOKENS", nil},
		{"gemini-generate", gen, Content{Finish: "content_filter"}, "*", "SAFETY", nil},
		{"gemini-generate", gen, Content{Finish: "refusal"}, "", "SAFETY", nil},
		{"gemini-generate", gen, Content{Empty: true}, "", "STOP", nil},
		{"gemini-stream", stream, Content{Finish: "length"}, "*", "MAX_TOKENS", nil},
		{"gemini-stream", stream, Content{Empty: true}, "", "STOP", nil},
		{"gemini-tools-stream", stream, Content{UnknownTool: "delete_everything"}, "", "STOP", []string{"delete_everything"}},
		{"gemini-tools-stream", stream, Content{InvalidToolArguments: true}, "", "STOP", []string{"get_weather"}},
	}
	for _, c := range cases {
		t.Run(c.golden+"/"+c.fault.Finish+strings.Repeat("/empty", btoi(c.fault.Empty))+c.fault.UnknownTool, func(t *testing.T) {
			g := readGolden(t, c.golden)
			in := g.events(t, c.path)
			orig := readGeminiAnswer(t, geminiDatas(t, g.isStream(), g.body))
			run := runContent(t, &c.fault, "gemini", c.path, in)
			got := readGeminiAnswer(t, geminiDatas(t, g.isStream(), run.rec.Body.Bytes()))
			want := c.text
			if want == "*" {
				want = orig.text
			}
			if got.text != want || got.finish != c.finish || strings.Join(got.calls, ",") != strings.Join(c.calls, ",") {
				t.Errorf("got %+v, want text %q finish %s calls %v", got, want, c.finish, c.calls)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// geminiDatas is a body's responses: the body itself, or each event's data.
func geminiDatas(t *testing.T, stream bool, body []byte) [][]byte {
	t.Helper()
	if !stream {
		return [][]byte{body}
	}
	var out [][]byte
	var p wire.SSEParser
	if err := p.Feed(body, func(ev wire.Event) error {
		out = append(out, append([]byte(nil), ev.Data...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
