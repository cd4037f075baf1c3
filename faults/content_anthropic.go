package faults

// The content fault on Anthropic messages (/v1/messages):
//
//	option                  message                           stream
//	finish: length          stop_reason "max_tokens"          message_delta's stop_reason
//	finish: content_filter  stop_reason "refusal"             the same
//	finish: refusal         stop_reason "refusal"             the same
//	invalid_tool_arguments  — (see below)                     input_json_delta.partial_json broken,
//	                                                          per content block
//	unknown_tool            tool_use name renamed             content_block_start's tool_use renamed
//	empty                   text blocks' text ""              text_delta events dropped
//
// A message's tool_use.input is a JSON object inside the body, not a
// string holding JSON as OpenAI's arguments are: it cannot be made invalid
// without making the whole body invalid, which would be a different fault
// (a malformed response). So only a stream's input, which the client
// pieces together from partial_json strings, is broken. Content blocks
// and their start and stop events stay when text is emptied; thinking is
// left alone.

// messagesEditor edits one message or message event stream.
type messagesEditor struct {
	c    *Content
	args map[int]*argBreaker // per content block index
}

func (e *messagesEditor) body(o *jsonObject) bool {
	changed := o.editEach("content", e.block)
	return e.stopReason(o) || changed
}

// block edits a content block, whole or (content_block_start) begun.
func (e *messagesEditor) block(b *jsonObject) bool {
	switch typ, _ := b.str("type"); typ {
	case "text":
		return e.c.Empty && emptyText(b, "text")
	case "tool_use":
		return e.c.toolCall(b, breakArgs) // renames: input is not a string
	}
	return false
}

// stopReason sets stop_reason where it is set (null until the end).
func (e *messagesEditor) stopReason(o *jsonObject) bool {
	want := "refusal"
	switch e.c.Finish {
	case "":
		return false
	case finishLength:
		want = "max_tokens"
	}
	if _, ok := o.str("stop_reason"); !ok {
		return false
	}
	return o.setString("stop_reason", want)
}

func (e *messagesEditor) event(name string, o *jsonObject) (string, bool, bool) {
	typ, _ := o.str("type")
	switch typ {
	case "content_block_start":
		return name, o.edit("content_block", e.block), false
	case "content_block_delta":
		d, _ := parseObject(o.get("delta"))
		switch dt, _ := d.str("type"); {
		case dt == "text_delta" && e.c.Empty:
			return name, false, true
		case dt == "input_json_delta" && e.c.InvalidToolArguments:
			brk := e.breaker(o.num("index"))
			return name, o.edit("delta", func(d *jsonObject) bool {
				pj, _ := d.str("partial_json")
				return d.setString("partial_json", brk.feed(pj))
			}), false
		}
	case "message_delta":
		return name, o.edit("delta", e.stopReason), false
	}
	return name, false, false
}

func (e *messagesEditor) breaker(i int) *argBreaker {
	if e.args == nil {
		e.args = make(map[int]*argBreaker)
	}
	b := e.args[i]
	if b == nil {
		b = new(argBreaker)
		e.args[i] = b
	}
	return b
}
