package faults

// The content fault on OpenAI chat completions (/v1/chat/completions)
// and legacy completions (/v1/completions), to every choice:
//
//	option                  chat                                    legacy completions
//	finish: length          finish_reason "length"                  finish_reason "length"
//	finish: content_filter  finish_reason "content_filter"          finish_reason "content_filter"
//	finish: refusal         content null, refusal set, tool calls   text is the refusal,
//	                        removed, finish_reason "stop"           finish_reason "stop"
//	invalid_tool_arguments  function.arguments broken               —
//	unknown_tool            function.name renamed                   —
//	empty                   content ""                              text ""
//
// Streams: finish_reason is changed where it is set (the last chunk of a
// choice). A refusal goes out whole in the choice's first delta that
// carried content or a tool call; later such deltas lose it. Emptied text
// deltas lose their content. A chunk left with nothing to say (every
// delta {}, no finish_reason, no usage) is dropped, as a real empty
// answer sends none; the role chunk, the finish chunk, the usage chunk
// and [DONE] stay. Logprobs of a choice whose text changed become null.

// chatEditor edits one chat completion or chat completion stream.
type chatEditor struct {
	c       *Content
	refused map[int]bool           // choices whose refusal has gone out
	args    map[[2]int]*argBreaker // per choice and tool-call index
}

func (e *chatEditor) body(o *jsonObject) bool {
	return o.editEach("choices", func(ch *jsonObject) bool {
		text := ch.edit("message", e.messageText)
		if text {
			clearLogprobs(ch)
		}
		calls := ch.edit("message", e.messageCalls)
		fin := e.c.openAIFinish(ch)
		return text || calls || fin
	})
}

func (e *chatEditor) messageText(m *jsonObject) bool {
	switch {
	case e.c.Finish == finishRefusal:
		// A model that refuses calls no tool.
		m.set("content", jsonNull)
		m.set("refusal", jsonString(refusalText))
		m.del("tool_calls")
		m.del("function_call")
		return true
	case e.c.empty():
		return emptyText(m, "content")
	}
	return false
}

func (e *chatEditor) messageCalls(m *jsonObject) bool {
	changed := m.editEach("tool_calls", func(tc *jsonObject) bool {
		return tc.edit("function", func(f *jsonObject) bool { return e.c.toolCall(f, breakArgs) })
	})
	return m.edit("function_call", func(f *jsonObject) bool { return e.c.toolCall(f, breakArgs) }) || changed
}

func (e *chatEditor) event(name string, o *jsonObject) (string, bool, bool) {
	changed := o.editEach("choices", func(ch *jsonObject) bool {
		i := ch.num("index")
		text := ch.edit("delta", func(d *jsonObject) bool { return e.deltaText(i, d) })
		if text {
			clearLogprobs(ch)
		}
		calls := ch.edit("delta", func(d *jsonObject) bool { return e.deltaCalls(i, d) })
		fin := e.c.openAIFinish(ch)
		return text || calls || fin
	})
	return name, changed, changed && chatSilent(o)
}

// chatSilent reports whether a chunk says nothing: every delta {}, no
// finish_reason, no usage.
func chatSilent(o *jsonObject) bool {
	return o.isNull("usage") && o.all("choices", func(ch *jsonObject) bool {
		return ch.isEmptyObject("delta") && ch.isNull("finish_reason")
	})
}

// deltaText edits the text of choice i's delta. A refusal takes the place
// of the first delta with some of the answer, text or a tool call, and
// empties the later ones.
func (e *chatEditor) deltaText(i int, d *jsonObject) bool {
	s, _ := d.str("content")
	switch {
	case e.c.Finish == finishRefusal && answers(d):
		if s != "" {
			d.del("content")
		}
		d.del("tool_calls")
		d.del("function_call")
		if !e.refused[i] {
			e.refused = setFlag(e.refused, i)
			d.set("refusal", jsonString(refusalText))
		}
		return true
	case e.c.empty() && s != "":
		return d.del("content")
	}
	return false
}

// deltaCalls edits the tool calls in choice i's delta, each call's
// argument pieces through a breaker of its own.
func (e *chatEditor) deltaCalls(i int, d *jsonObject) bool {
	changed := d.editEach("tool_calls", func(tc *jsonObject) bool {
		brk := e.breaker([2]int{i, tc.num("index")})
		return tc.edit("function", func(f *jsonObject) bool { return e.c.toolCall(f, brk.feed) })
	})
	brk := e.breaker([2]int{i, -1})
	return d.edit("function_call", func(f *jsonObject) bool { return e.c.toolCall(f, brk.feed) }) || changed
}

// answers reports whether a delta carries some of the answer: text or a
// tool call.
func answers(d *jsonObject) bool {
	s, _ := d.str("content")
	return s != "" || !d.isNull("tool_calls") || !d.isNull("function_call")
}

func (e *chatEditor) breaker(k [2]int) *argBreaker {
	if e.args == nil {
		e.args = make(map[[2]int]*argBreaker)
	}
	b := e.args[k]
	if b == nil {
		b = new(argBreaker)
		e.args[k] = b
	}
	return b
}

// completionsEditor edits one legacy completion or completion stream.
type completionsEditor struct {
	c       *Content
	refused map[int]bool // choices whose refusal has gone out
}

func (e *completionsEditor) body(o *jsonObject) bool {
	return o.editEach("choices", func(ch *jsonObject) bool { return e.choice(ch, false) })
}

func (e *completionsEditor) event(name string, o *jsonObject) (string, bool, bool) {
	changed := o.editEach("choices", func(ch *jsonObject) bool { return e.choice(ch, true) })
	return name, changed, changed && completionSilent(o)
}

// completionSilent reports whether a chunk says nothing: no text, no
// finish_reason, no usage.
func completionSilent(o *jsonObject) bool {
	return o.isNull("usage") && o.all("choices", func(ch *jsonObject) bool {
		s, _ := ch.str("text")
		return s == "" && ch.isNull("finish_reason")
	})
}

// choice edits one choice; in a stream its text is one piece of the
// answer, and only the first piece with text carries a refusal.
func (e *completionsEditor) choice(ch *jsonObject, stream bool) bool {
	changed := false
	if s, ok := ch.str("text"); ok {
		switch {
		case e.c.Finish == finishRefusal:
			want := refusalText
			if stream {
				want = e.refusalPiece(ch.num("index"), s)
			}
			changed = ch.setString("text", want)
		case e.c.empty():
			changed = ch.setString("text", "")
		}
	}
	if changed {
		clearLogprobs(ch)
	}
	return e.c.openAIFinish(ch) || changed
}

// refusalPiece is what takes the place of choice i's streamed text s:
// the whole refusal for the first piece with text, nothing after it.
func (e *completionsEditor) refusalPiece(i int, s string) string {
	if s == "" || e.refused[i] {
		return ""
	}
	e.refused = setFlag(e.refused, i)
	return refusalText
}

// openAIFinish sets a choice's finish_reason where it has one.
func (c *Content) openAIFinish(ch *jsonObject) bool {
	want := c.Finish
	switch want {
	case "":
		return false
	case finishRefusal:
		want = "stop"
	}
	if _, ok := ch.str("finish_reason"); !ok { // null: not finished yet
		return false
	}
	return ch.setString("finish_reason", want)
}

// toolCall renames the call in f (OpenAI's function object, a Responses
// function_call item or event, an Anthropic tool_use block) and passes
// its arguments through brk.
func (c *Content) toolCall(f *jsonObject, brk func(string) string) bool {
	changed := false
	if _, ok := f.str("name"); ok && c.UnknownTool != "" {
		changed = f.setString("name", c.UnknownTool)
	}
	if a, ok := f.str("arguments"); ok && c.InvalidToolArguments {
		changed = f.setString("arguments", brk(a)) || changed
	}
	return changed
}

// emptyText empties the string under k, reporting a change.
func emptyText(o *jsonObject, k string) bool {
	if s, _ := o.str(k); s != "" {
		return o.setString(k, "")
	}
	return false
}

func clearLogprobs(ch *jsonObject) {
	if !ch.isNull("logprobs") {
		ch.set("logprobs", jsonNull)
	}
}

func setFlag(m map[int]bool, i int) map[int]bool {
	if m == nil {
		m = make(map[int]bool)
	}
	m[i] = true
	return m
}
