package faults

// The content fault on the Responses API (/v1/responses). The body and
// the response inside response.completed are edited alike:
//
//	option                  response                                  stream events on the way
//	finish: length          status "incomplete", incomplete_details   response.completed becomes
//	                        {reason: "max_output_tokens"}, message    response.incomplete; output_item.done
//	                        items status "incomplete"                 message status "incomplete"
//	finish: content_filter  the same, reason "content_filter"         the same
//	finish: refusal         output_text parts become                  content_part.added/.done carry the
//	                        {"type":"refusal","refusal":…}            refusal part; output_text.delta/.done
//	                                                                  become response.refusal.delta/.done
//	invalid_tool_arguments  function_call arguments broken            function_call_arguments.delta broken
//	                                                                  per item; .done and the items too
//	unknown_tool            function_call (and custom_tool_call)      output_item.added/.done and
//	                        name renamed                              function_call_arguments.done renamed
//	empty                   output_text text ""                       output_text.delta delta "", .done text ""
//
// Text deltas are emptied rather than dropped, because every event
// carries a sequence_number a client may check for gaps. A refusal goes
// out whole in the part's first delta; its later deltas are empty. A
// refusal acts on text parts only: an answer that is all function calls
// has none, and is left to the other options.

// responsesEditor edits one response or response event stream.
type responsesEditor struct {
	c       *Content
	args    map[string]*argBreaker // per output item id
	refused map[string]bool        // per output item id and content index
}

func (e *responsesEditor) body(o *jsonObject) bool { return e.response(o) }

// response edits a response object: a body, or the one that
// response.completed carries.
func (e *responsesEditor) response(r *jsonObject) bool {
	changed := r.editEach("output", e.item)
	reason := e.c.incompleteReason()
	if st, _ := r.str("status"); reason != "" && (st == "completed" || st == "incomplete") {
		r.setString("status", "incomplete")
		details := jsonObject{{key: "reason", val: jsonString(reason)}}
		r.set("incomplete_details", details.encode())
		changed = true
	}
	return changed
}

// item edits one output item, complete or (output_item.added) just begun.
func (e *responsesEditor) item(it *jsonObject) bool {
	switch typ, _ := it.str("type"); typ {
	case "message":
		changed := it.editEach("content", func(p *jsonObject) bool { return e.part(p, refusalText) })
		if st, _ := it.str("status"); st == "completed" && e.c.incompleteReason() != "" {
			changed = it.setString("status", "incomplete") || changed
		}
		return changed
	case "function_call", "custom_tool_call":
		return e.c.toolCall(it, breakArgs)
	}
	return false
}

// part edits a content part; refusal is the text a refusal part gets
// ("" in content_part.added, where text parts start empty too).
func (e *responsesEditor) part(p *jsonObject, refusal string) bool {
	if typ, _ := p.str("type"); typ != "output_text" {
		return false
	}
	switch {
	case e.c.Finish == finishRefusal:
		*p = jsonObject{{key: "type", val: jsonString("refusal")}, {key: "refusal", val: jsonString(refusal)}}
		return true
	case e.c.empty():
		return emptyText(p, "text")
	}
	return false
}

func (e *responsesEditor) event(name string, o *jsonObject) (string, bool, bool) {
	typ, _ := o.str("type")
	switch typ {
	case "response.output_item.added", "response.output_item.done":
		return name, o.edit("item", e.item), false
	case "response.content_part.added":
		return name, o.edit("part", func(p *jsonObject) bool { return e.part(p, "") }), false
	case "response.content_part.done":
		return name, o.edit("part", func(p *jsonObject) bool { return e.part(p, refusalText) }), false
	case "response.output_text.delta":
		return e.textDelta(name, o)
	case "response.output_text.done":
		return e.textDone(name, o)
	case "response.function_call_arguments.delta":
		d, ok := o.str("delta")
		if !ok || !e.c.InvalidToolArguments {
			return name, false, false
		}
		id, _ := o.str("item_id")
		return name, o.setString("delta", e.breaker(id).feed(d)), false
	case "response.function_call_arguments.done":
		return name, e.c.toolCall(o, breakArgs), false
	case "response.completed":
		return e.completed(name, o)
	}
	return name, false, false
}

func (e *responsesEditor) textDelta(name string, o *jsonObject) (string, bool, bool) {
	switch {
	case e.c.Finish == finishRefusal:
		id, _ := o.str("item_id")
		key := id + "/" + string(o.get("content_index"))
		d := ""
		if !e.refused[key] {
			if e.refused == nil {
				e.refused = make(map[string]bool)
			}
			e.refused[key], d = true, refusalText
		}
		o.del("logprobs")
		o.set("delta", jsonString(d))
		return retype(name, o, "response.refusal.delta"), true, false
	case e.c.empty():
		return name, emptyText(o, "delta"), false
	}
	return name, false, false
}

func (e *responsesEditor) textDone(name string, o *jsonObject) (string, bool, bool) {
	switch {
	case e.c.Finish == finishRefusal:
		o.del("logprobs")
		if !o.rename("text", "refusal", jsonString(refusalText)) {
			o.set("refusal", jsonString(refusalText))
		}
		return retype(name, o, "response.refusal.done"), true, false
	case e.c.empty():
		return name, emptyText(o, "text"), false
	}
	return name, false, false
}

// completed edits the final response; one that ends incomplete is
// announced as response.incomplete, as the API does.
func (e *responsesEditor) completed(name string, o *jsonObject) (string, bool, bool) {
	if !o.edit("response", e.response) {
		return name, false, false
	}
	r, _ := parseObject(o.get("response"))
	if st, _ := r.str("status"); st == "incomplete" {
		name = retype(name, o, "response.incomplete")
	}
	return name, true, false
}

// retype gives an event a new type, and the SSE name to match when the
// event had one.
func retype(name string, o *jsonObject, typ string) string {
	o.setString("type", typ)
	if name == "" {
		return ""
	}
	return typ
}

// incompleteReason is incomplete_details.reason for the Finish, "" when
// the response is to stay complete.
func (c *Content) incompleteReason() string {
	switch c.Finish {
	case finishLength:
		return "max_output_tokens"
	case finishContentFilter:
		return "content_filter"
	}
	return ""
}

func (e *responsesEditor) breaker(id string) *argBreaker {
	if e.args == nil {
		e.args = make(map[string]*argBreaker)
	}
	b := e.args[id]
	if b == nil {
		b = new(argBreaker)
		e.args[id] = b
	}
	return b
}
