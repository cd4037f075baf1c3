package proxy

import (
	"testing"

	"google.golang.org/genai"
)

const geminiTapeYAML = `version: 1
providers:
  gemini: {upstream: "{{up}}", ca_file: "{{ca}}"}
cache: {dir: "{{dir}}"}
rules:
  - name: cut
    match: {model: "cut-*"}
    action: {{action}}
    {{cassette}}
    faults: {{faults}}
  - name: tape
    action: {{action}}
    {{cassette}}
`

// geminiTalk is what the SDK made of a plain call, a stream and a cut
// stream: texts, and how many chunks and finish reasons the streams had.
type geminiTalk struct {
	text, streamed     string
	chunks, cutChunks  int
	finishes, cutFinal int
}

func geminiConverse(t *testing.T, gc *genai.Client) geminiTalk {
	t.Helper()
	var g geminiTalk
	resp, err := gc.Models.GenerateContent(t.Context(), geminiTestModel, genai.Text("tape me"), nil)
	if err != nil {
		t.Fatal(err)
	}
	g.text = resp.Text()
	for _, c := range []struct {
		model          string
		chunks, finals *int
		text           *string
	}{{geminiTestModel, &g.chunks, &g.finishes, &g.streamed}, {"cut-model", &g.cutChunks, &g.cutFinal, new(string)}} {
		for chunk, err := range gc.Models.GenerateContentStream(t.Context(), c.model, genai.Text("tape me"), nil) {
			if err != nil {
				t.Fatal(err)
			}
			*c.chunks++
			*c.text += chunk.Text()
			if chunk.Candidates[0].FinishReason != "" {
				*c.finals++
			}
		}
	}
	return g
}

// Gemini calls forwarded and recorded replay with the upstream gone: the
// SDK gets the same answers; the stream fault cuts a forwarded and a
// replayed Gemini stream alike before its finishReason; no key reaches a
// cassette.
func TestGeminiRecordThenReplay(t *testing.T) {
	dir := t.TempDir()
	up := simUpstream(t, 0)
	cut := "[{stream: {truncate_after_events: 2}}]"
	values := map[string]string{"up": up.URL, "ca": up.caFile(t), "dir": dir, "action": "forward", "cassette": "", "faults": cut}
	fwd := newStack(t, geminiTapeYAML, values)
	forwarded := geminiConverse(t, geminiSDK(t, fwd.srv.URL, fwd.srv.Client(), nil))
	if forwarded.cutChunks != 2 || forwarded.cutFinal != 0 || forwarded.finishes != 1 {
		t.Errorf("forwarded, the cut stream: %+v", forwarded)
	}

	values["action"], values["cassette"], values["faults"] = "record", "cassette: {}", "[]"
	rec := newStack(t, geminiTapeYAML, values)
	want := geminiConverse(t, geminiSDK(t, rec.srv.URL, rec.srv.Client(), nil))
	if want.text == "" || want.text != want.streamed || want.finishes != 1 || want.cutFinal != 1 {
		t.Fatalf("recorded: %+v", want)
	}
	// A stream's recording is committed as the upstream's body ends,
	// which may come just after the SDK, done at the terminal event, has
	// returned.
	waitFor(t, func() bool { return len(cassetteFiles(t, dir)) >= 3 })
	if n := len(cassetteFiles(t, dir)); n != 3 {
		t.Fatalf("%d recordings for 3 distinct calls", n)
	}
	hits := up.hits.Load()
	up.Close()

	values["action"], values["cassette"], values["faults"] = "replay", "cassette: {timing: instant}", cut
	rep := newStack(t, geminiTapeYAML, values)
	got := geminiConverse(t, geminiSDK(t, rep.srv.URL, rep.srv.Client(), nil))
	if got.text != want.text || got.streamed != want.streamed || got.chunks != want.chunks || got.finishes != 1 {
		t.Errorf("replayed %+v, recorded %+v", got, want)
	}
	if got.cutChunks != 2 || got.cutFinal != 0 {
		t.Errorf("replayed, the cut stream: %+v", got)
	}
	if up.hits.Load() != hits {
		t.Fatal("a replay reached the upstream")
	}
	grepDir(t, dir, "AIza-test-key")
}
