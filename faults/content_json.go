package faults

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// jsonObject is a JSON object as its members in order, each value kept as
// its raw bytes. The content fault edits answers through it rather than
// through map[string]any so that an edited body or event keeps its key
// order and every value it did not touch byte for byte; only the
// whitespace between members is lost when an object is re-encoded.
type jsonObject []jsonMember

type jsonMember struct {
	key string
	val json.RawMessage
}

// parseObject reads b, which must be exactly one JSON object. Its values
// are slices of b, not copies: the object lives no longer than the event
// it was read from.
func parseObject(b []byte) (jsonObject, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return nil, false
	}
	// Valid, so the scan below needs no error checks: it only finds where
	// each member starts and ends.
	o := make(jsonObject, 0, 8)
	i := skipSpace(b, 1)
	for b[i] != '}' {
		kEnd := skipString(b, i)
		key, ok := decodeString(b[i:kEnd])
		if !ok {
			return nil, false
		}
		v := skipSpace(b, skipSpace(b, kEnd)+1) // past the colon
		vEnd := skipValue(b, v)
		o = append(o, jsonMember{key: key, val: b[v:vEnd]})
		if i = skipSpace(b, vEnd); b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return o, true
}

// parseArray splits a JSON array into its elements, slices of b.
func parseArray(b []byte) ([]json.RawMessage, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' || !json.Valid(b) {
		return nil, false
	}
	var elems []json.RawMessage
	i := skipSpace(b, 1)
	for b[i] != ']' {
		end := skipValue(b, i)
		elems = append(elems, b[i:end])
		if i = skipSpace(b, end); b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return elems, true
}

// skipValue returns the end of the valid JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != ']' && b[i] != '}' && !isJSONSpace(b[i]) { // a number or literal
		i++
	}
	return i
}

// skipString returns the end of the valid JSON string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	return i
}

// decodeString decodes a JSON string; most have no escapes to undo.
func decodeString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// encode renders o compactly, keys in their order.
func (o *jsonObject) encode() []byte {
	n := 2
	for _, m := range *o {
		n += len(m.key) + len(m.val) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, m := range *o {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, jsonString(m.key)...)
		b = append(b, ':')
		b = append(b, m.val...)
	}
	return append(b, '}')
}

func (o *jsonObject) index(k string) int {
	for i, m := range *o {
		if m.key == k {
			return i
		}
	}
	return -1
}

// get is the raw value under k, nil when k is absent.
func (o *jsonObject) get(k string) json.RawMessage {
	if i := o.index(k); i >= 0 {
		return (*o)[i].val
	}
	return nil
}

// str is the string under k; ok is false when k is absent, null or not a
// string.
func (o *jsonObject) str(k string) (string, bool) {
	return decodeString(o.get(k))
}

// num is the integer under k, -1 when there is none: choice and block
// indexes, which are never negative.
func (o *jsonObject) num(k string) int {
	n, err := strconv.Atoi(string(o.get(k)))
	if err != nil {
		return -1
	}
	return n
}

// set puts v under k, in k's place when it is there, else at the end.
func (o *jsonObject) set(k string, v json.RawMessage) {
	if i := o.index(k); i >= 0 {
		(*o)[i].val = v
		return
	}
	*o = append(*o, jsonMember{key: k, val: v})
}

// setString puts s under k and reports whether that changed anything.
func (o *jsonObject) setString(k, s string) bool {
	if cur, ok := o.str(k); ok && cur == s {
		return false
	}
	o.set(k, jsonString(s))
	return true
}

// del removes k and reports whether it was there.
func (o *jsonObject) del(k string) bool {
	i := o.index(k)
	if i < 0 {
		return false
	}
	*o = append((*o)[:i], (*o)[i+1:]...)
	return true
}

// rename gives the member under old the key new and the value v, in
// old's place; it reports whether old was there.
func (o *jsonObject) rename(old, new string, v json.RawMessage) bool {
	i := o.index(old)
	if i < 0 {
		return false
	}
	(*o)[i] = jsonMember{key: new, val: v}
	return true
}

// edit applies f to the object under k and stores the result when f
// reports a change.
func (o *jsonObject) edit(k string, f func(*jsonObject) bool) bool {
	i := o.index(k)
	if i < 0 {
		return false
	}
	sub, ok := parseObject((*o)[i].val)
	if !ok || !f(&sub) {
		return false
	}
	(*o)[i].val = sub.encode()
	return true
}

// editEach applies f to every object in the array under k; elements that
// are not objects are left as they are.
func (o *jsonObject) editEach(k string, f func(*jsonObject) bool) bool {
	i := o.index(k)
	if i < 0 {
		return false
	}
	elems, ok := parseArray((*o)[i].val)
	if !ok {
		return false
	}
	changed := false
	for j, e := range elems {
		sub, ok := parseObject(e)
		if ok && f(&sub) {
			elems[j], changed = sub.encode(), true
		}
	}
	if changed {
		(*o)[i].val = encodeArray(elems)
	}
	return changed
}

// all reports whether f holds for every object in the array under k.
func (o *jsonObject) all(k string, f func(*jsonObject) bool) bool {
	elems, ok := parseArray(o.get(k))
	if !ok {
		return false
	}
	for _, e := range elems {
		if sub, ok := parseObject(e); !ok || !f(&sub) {
			return false
		}
	}
	return true
}

// isNull reports whether k is absent or null.
func (o *jsonObject) isNull(k string) bool {
	v := o.get(k)
	return v == nil || string(v) == "null"
}

// isEmptyObject reports whether the value under k is {}.
func (o *jsonObject) isEmptyObject(k string) bool {
	sub, ok := parseObject(o.get(k))
	return ok && len(sub) == 0
}

var jsonNull = json.RawMessage("null")

func encodeArray(elems []json.RawMessage) json.RawMessage {
	b := []byte{'['}
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, ']')
}

// jsonString encodes s without HTML escaping, as the providers do.
func jsonString(s string) json.RawMessage {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}
