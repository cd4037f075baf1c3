package proxy

import (
	"bytes"
	"strconv"

	"github.com/llm-simulator/llm-simulator/internal/canon"
)

// usageScan reads the token counts a forwarded answer reports, for the
// rate limits that count tokens: from each event that mentions usage, or
// from a plain body once it is complete. A nil scan reads nothing: most
// requests have no fault that counts tokens, and scanning every body
// costs a tenth of a forward.
type usageScan struct {
	prompt, completion int
	kept               []byte
	tooLong            bool
}

// maxUsageBody bounds the plain body kept to read its usage: answers are
// far smaller; anything larger goes uncounted rather than held.
const maxUsageBody = 1 << 20

var usageKey = []byte(`"usage"`)

// usagePaths are where the providers put usage: at the top (chat,
// embeddings, Anthropic message_delta), in message_start's message, in the
// Responses API's response.* events.
var usagePaths = [][2]string{{"usage", ""}, {"message", "usage"}, {"response", "usage"}}

func (u *usageScan) event(data []byte) {
	if u != nil {
		u.read(data)
	}
}

func (u *usageScan) body(p []byte) {
	if u == nil || u.tooLong {
		return
	}
	if len(u.kept)+len(p) > maxUsageBody {
		u.tooLong, u.kept = true, nil
		return
	}
	u.kept = append(u.kept, p...)
}

func (u *usageScan) finishBody() {
	if u != nil && !u.tooLong && len(u.kept) > 0 {
		u.read(u.kept)
	}
}

func (u *usageScan) read(doc []byte) {
	if !bytes.Contains(doc, usageKey) {
		return
	}
	for _, path := range usagePaths {
		raw, ok := canon.Lookup(doc, path[0])
		if ok && path[1] != "" {
			raw, ok = canon.Lookup(raw, path[1])
		}
		if !ok {
			continue
		}
		if n := firstInt(raw, "prompt_tokens", "input_tokens"); n > 0 {
			u.prompt = n
		}
		if n := firstInt(raw, "completion_tokens", "output_tokens"); n > 0 {
			u.completion = n
		}
	}
}

// firstInt is the first of keys holding an integer in the object raw.
func firstInt(raw []byte, keys ...string) int {
	for _, k := range keys {
		if v, ok := canon.Lookup(raw, k); ok {
			if n, err := strconv.Atoi(string(v)); err == nil {
				return n
			}
		}
	}
	return 0
}
