package schemagen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// kind is the JSON type of a value.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// value is an ordered JSON tree. It is used both for the parsed schema
// (so that declared property order survives) and for generated output (so
// that it can be checked before it is encoded).
type value struct {
	kind kind
	b    bool
	s    string // string content, or the literal text of a number
	arr  []*value
	obj  []member
}

type member struct {
	key string
	val *value
}

var (
	nullValue  = &value{kind: kindNull}
	trueValue  = &value{kind: kindBool, b: true}
	falseValue = &value{kind: kindBool}
)

// maxNesting bounds the nesting of a schema document; recursion over a
// deeper document could exhaust the stack long before it is useful.
const maxNesting = 512

// get returns the member named key of an object, or nil.
func (v *value) get(key string) *value {
	if v == nil || v.kind != kindObject {
		return nil
	}
	for i := range v.obj {
		if v.obj[i].key == key {
			return v.obj[i].val
		}
	}
	return nil
}

// parseJSON decodes one JSON document, keeping object key order. Duplicate
// keys keep their first position but the last value, which matches how
// encoding/json (and so most validators) read them.
func parseJSON(data []byte) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder, depth int) (*value, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("nesting deeper than %d", maxNesting)
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return nullValue, nil
	case bool:
		if t {
			return trueValue, nil
		}
		return falseValue, nil
	case json.Number:
		return &value{kind: kindNumber, s: string(t)}, nil
	case string:
		return &value{kind: kindString, s: t}, nil
	case json.Delim:
		if t == '[' {
			return parseArray(dec, depth)
		}
		if t == '{' {
			return parseObject(dec, depth)
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func parseArray(dec *json.Decoder, depth int) (*value, error) {
	v := &value{kind: kindArray}
	for dec.More() {
		e, err := parseValue(dec, depth+1)
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, e)
	}
	_, err := dec.Token() // ']'
	return v, err
}

func parseObject(dec *json.Decoder, depth int) (*value, error) {
	v := &value{kind: kindObject}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("unexpected object key %v", tok)
		}
		e, err := parseValue(dec, depth+1)
		if err != nil {
			return nil, err
		}
		v.set(key, e)
	}
	_, err := dec.Token() // '}'
	return v, err
}

// set replaces the member named key or appends it.
func (v *value) set(key string, e *value) {
	for i := range v.obj {
		if v.obj[i].key == key {
			v.obj[i].val = e
			return
		}
	}
	v.obj = append(v.obj, member{key, e})
}

// rat returns the exact value of a number literal.
func (v *value) rat() (*big.Rat, bool) {
	if v.kind != kindNumber {
		return nil, false
	}
	return parseRat(v.s)
}

func parseRat(s string) (*big.Rat, bool) {
	// Small plain integers are by far the most common literal; skip the
	// big.Rat parser's generality for them.
	if len(s) < 18 {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return new(big.Rat).SetInt64(n), true
		}
	}
	return new(big.Rat).SetString(s)
}

// equal reports JSON equality: numbers by value, objects regardless of key
// order.
func equal(a, b *value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindNull:
		return true
	case kindBool:
		return a.b == b.b
	case kindString:
		return a.s == b.s
	case kindNumber:
		if a.s == b.s {
			return true
		}
		x, ok1 := a.rat()
		y, ok2 := b.rat()
		return ok1 && ok2 && x.Cmp(y) == 0
	case kindArray:
		if len(a.arr) != len(b.arr) {
			return false
		}
		for i := range a.arr {
			if !equal(a.arr[i], b.arr[i]) {
				return false
			}
		}
		return true
	}
	if len(a.obj) != len(b.obj) {
		return false
	}
	for _, m := range a.obj {
		o := b.get(m.key)
		if o == nil || !equal(m.val, o) {
			return false
		}
	}
	return true
}

// appendJSON appends the compact encoding of v.
func appendJSON(buf []byte, v *value) []byte {
	switch v.kind {
	case kindNull:
		return append(buf, "null"...)
	case kindBool:
		return strconv.AppendBool(buf, v.b)
	case kindNumber:
		return append(buf, v.s...)
	case kindString:
		return appendString(buf, v.s)
	case kindArray:
		buf = append(buf, '[')
		for i, e := range v.arr {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, e)
		}
		return append(buf, ']')
	}
	buf = append(buf, '{')
	for i, m := range v.obj {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, m.key)
		buf = append(buf, ':')
		buf = appendJSON(buf, m.val)
	}
	return append(buf, '}')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s. Invalid UTF-8 becomes U+FFFD, and U+2028/U+2029
// are escaped because JavaScript consumers choke on them raw.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, "\ufffd"...)
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}
