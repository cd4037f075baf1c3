package simulate

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/llm-simulator/llm-simulator/wire"
)

// azureSink turns the OpenAI emulator's answer into Azure's. Every head
// gets Azure's headers. A successful chat or completions answer gets the
// content filter's annotations: prompt_filter_results on the body (on a
// stream, in a first chunk of its own with no choices and empty fields)
// and content_filter_results on each choice; its members are written in
// the alphabetical order Azure's gateway writes them, without the ones
// Azure does not send (service_tier, obfuscation).
type azureSink struct {
	next     wire.Sink
	c        *Call
	annotate bool // a chat or completions call

	ok     bool       // the answer is a 200
	head   wire.Event // a body's head, held until the body: its length changes
	held   bool
	opened bool // the stream's prompt-filter chunk is sent
}

// Send implements wire.Sink.
func (s *azureSink) Send(ev wire.Event) error {
	switch ev.Kind {
	case wire.Head:
		// The emulator recycles the head's map once Send returns.
		ev.Header = ev.Header.Clone()
		azureHeaders(ev.Header, s.c)
		s.ok = ev.Status == http.StatusOK && s.annotate
		if s.ok && ev.Stream == wire.NotStream {
			s.head, s.held = ev, true
			return nil
		}
	case wire.Chunk:
		if s.held {
			ev.Data = annotateAzure(ev.Data, false)
			if err := s.release(len(ev.Data)); err != nil {
				return err
			}
		}
	case wire.SSE:
		if s.ok && ev.Name == "" && !bytes.Equal(bytes.TrimSpace(ev.Data), []byte("[DONE]")) {
			if !s.opened {
				s.opened = true
				if err := s.next.Send(wire.Event{Kind: wire.SSE, Data: azurePromptFilterChunk()}); err != nil {
					return err
				}
			}
			ev.Data = annotateAzure(ev.Data, true)
		}
	case wire.End:
		if s.held {
			if err := s.release(0); err != nil {
				return err
			}
		}
	}
	return s.next.Send(ev)
}

// release sends the held head with the body's length.
func (s *azureSink) release(n int) error {
	s.held = false
	s.head.Header.Set("Content-Length", strconv.Itoa(n))
	return s.next.Send(s.head)
}

// The region the simulated resource is in.
const azureRegion = "East US"

// azureHeaders are the headers Azure's gateway adds to an answer: the
// request id (apim-request-id, echoed as x-ms-client-request-id unless
// the client sent its own) and the region; OpenAI's own are dropped.
func azureHeaders(h http.Header, c *Call) {
	h.Del("Openai-Version")
	h.Del("Openai-Processing-Ms")
	h.Set("Apim-Request-Id", c.RequestID)
	h.Set("X-Request-Id", c.RequestID)
	h.Set("X-Ms-Client-Request-Id", cmp.Or(c.Header.Get("X-Ms-Client-Request-Id"), c.RequestID))
	h.Set("X-Ms-Region", azureRegion)
}

// azurePromptFilter is one prompt's filter results; Azure writes
// prompt_index first, against the order of everything else.
type azurePromptFilter struct {
	PromptIndex          int            `json:"prompt_index"`
	ContentFilterResults map[string]any `json:"content_filter_results"`
}

// azurePromptFilterChunk is the event an Azure stream opens with: the
// prompt's filter results, with no choices and every other field empty.
var azurePromptFilterChunk = sync.OnceValue(func() []byte {
	return encodeAzure(map[string]any{"choices": []any{}, "created": 0, "id": "", "model": "", "object": "",
		"prompt_filter_results": []azurePromptFilter{{0, wire.AzureFilterResults(true, "")}}})
})

// annotateAzure adds the filter results to a chat or completions body
// or chunk; anything else is returned as it is.
func annotateAzure(data []byte, chunk bool) []byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers are written back as they came
	var m map[string]any
	if dec.Decode(&m) != nil {
		return data
	}
	switch m["object"] {
	case "chat.completion", "chat.completion.chunk", "text_completion":
	default:
		return data
	}
	delete(m, "service_tier")
	delete(m, "obfuscation")
	if !chunk {
		m["prompt_filter_results"] = []azurePromptFilter{{0, wire.AzureFilterResults(true, "")}}
	}
	choices, _ := m["choices"].([]any)
	for _, ch := range choices {
		if c, ok := ch.(map[string]any); ok {
			c["content_filter_results"] = choiceFilterResults(c, chunk)
		}
	}
	return encodeAzure(m)
}

// choiceFilterResults are a choice's filter results: empty on a chunk
// that carries no text (the role, a finish), rated otherwise; a choice
// the filter stopped (finish_reason content_filter) is rated filtered.
func choiceFilterResults(c map[string]any, chunk bool) map[string]any {
	if c["finish_reason"] == "content_filter" {
		return wire.AzureFilterResults(false, "violence")
	}
	if chunk {
		text, _ := c["text"].(string)
		if d, ok := c["delta"].(map[string]any); ok {
			text, _ = d["content"].(string)
		}
		if text == "" {
			return map[string]any{}
		}
	}
	return wire.AzureFilterResults(false, "")
}

// encodeAzure writes v as Azure does: object members sorted (maps are),
// <, > and & left alone.
func encodeAzure(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("{}")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
