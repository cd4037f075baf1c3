package faults

// The content fault on Gemini's generateContent and streamGenerateContent
// (each event of a stream is a whole GenerateContentResponse, so a body
// and an event are edited alike):
//
//	option                  every candidate
//	finish: length          finishReason "MAX_TOKENS"
//	finish: content_filter  finishReason "SAFETY"
//	finish: refusal         finishReason "SAFETY", its text emptied: Gemini
//	                        declines by blocking, with no words
//	invalid_tool_arguments  — (functionCall.args is an object in the body,
//	                        streamed or not, as Anthropic's input is)
//	unknown_tool            functionCall.name renamed
//	empty                   text parts' text "" (thoughts stay)
//
// A finishReason is changed where the answer sets one: a stream's last
// response.

type geminiEditor struct{ c *Content }

func (e *geminiEditor) body(o *jsonObject) bool { return o.editEach("candidates", e.candidate) }

func (e *geminiEditor) event(name string, o *jsonObject) (string, bool, bool) {
	return name, e.body(o), false
}

func (e *geminiEditor) candidate(cand *jsonObject) bool {
	changed := e.c.UnknownTool != "" || e.c.Empty || e.c.Finish == finishRefusal
	if changed {
		changed = cand.edit("content", func(content *jsonObject) bool { return content.editEach("parts", e.part) })
	}
	if _, ok := cand.str("finishReason"); ok && e.c.Finish != "" {
		want := "SAFETY"
		if e.c.Finish == finishLength {
			want = "MAX_TOKENS"
		}
		changed = cand.setString("finishReason", want) || changed
	}
	return changed
}

func (e *geminiEditor) part(p *jsonObject) bool {
	if _, isText := p.str("text"); isText {
		if thought := p.get("thought"); string(thought) == "true" || !(e.c.Empty || e.c.Finish == finishRefusal) {
			return false
		}
		return emptyText(p, "text")
	}
	if e.c.UnknownTool == "" {
		return false
	}
	return p.edit("functionCall", func(f *jsonObject) bool { return f.setString("name", e.c.UnknownTool) })
}
