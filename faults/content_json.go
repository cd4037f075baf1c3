package faults

import (
	"bytes"
	"encoding/json"
	"io"
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

// parseObject reads b, which must be exactly one JSON object.
func parseObject(b []byte) (jsonObject, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	o := make(jsonObject, 0, 8)
	for d.More() {
		t, err := d.Token()
		k, ok := t.(string)
		if err != nil || !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, false
		}
		o = append(o, jsonMember{key: k, val: v})
	}
	if t, err := d.Token(); err != nil || t != json.Delim('}') {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF { // trailing data
		return nil, false
	}
	return o, true
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
func (o *jsonObject) str(k string) (s string, ok bool) {
	v := o.get(k)
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// num is the integer under k, -1 when there is none: choice and block
// indexes, which are never negative.
func (o *jsonObject) num(k string) int {
	var n int
	if json.Unmarshal(o.get(k), &n) != nil {
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
	var elems []json.RawMessage
	if json.Unmarshal((*o)[i].val, &elems) != nil {
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
	var elems []json.RawMessage
	if json.Unmarshal(o.get(k), &elems) != nil {
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
