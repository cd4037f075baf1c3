package canon

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Hash returns a 64-bit hash of a JSON document in which object key order,
// insignificant whitespace and string escaping do not matter. Top-level
// object members named in skip are left out, so that e.g. "stream" does
// not change a request's identity. Numbers are compared by their text.
// Input that is not JSON hashes as its raw bytes, so Hash never fails.
func Hash(data []byte, skip ...string) uint64 {
	h, _ := HashFlag(data, "", skip...)
	return h
}

// HashFlag is Hash that also reports whether the top-level member named
// flag is the literal true, in the same pass: the front needs both a
// request's identity and its "stream" flag on every request.
func HashFlag(data []byte, flag string, skip ...string) (h uint64, set bool) {
	h, set, _ = HashCapture(data, flag, nil, nil, skip...)
	return h, set
}

// HashCapture is HashFlag that also keeps top-level members, from the
// same pass: captured[i] is the raw value of the member capture[i] (the
// last, if it repeats; nil when absent). The front needs every request's
// identity, stream flag and the members matching reads (the model, those
// the rules' body conditions start at), and a second scan of the body
// would cost as much as the first. json is false, and nothing captured,
// when data is not a JSON value.
func HashCapture(data []byte, flag string, capture []string, captured [][]byte, skip ...string) (h uint64, set, json bool) {
	clear(captured)
	s := scanner{data: data, flag: flag, capture: capture, captured: captured}
	h, ok := s.value(skip)
	s.space()
	if !ok || s.pos != len(data) {
		clear(captured)
		return finish(fnv(offset64, data) ^ tagRaw), false, false
	}
	return finish(h), s.flagSet, true
}

// HashString hashes a string as Hash hashes raw bytes that are not JSON,
// without converting it.
func HashString(s string) uint64 {
	h := uint64(offset64)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime64
	}
	return finish(h ^ tagRaw)
}

const (
	offset64 = 14695981039346656037
	prime64  = 1099511628211
	tagRaw   = 0x9e3779b97f4a7c15
)

// Distinct tags keep e.g. the string "1" and the number 1 apart.
const (
	tagNull uint64 = iota + 1
	tagTrue
	tagFalse
	tagNumber
	tagString
	tagArray
	tagObject
)

func fnv(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= prime64
	}
	return h
}

// finish is splitmix64's finaliser: FNV's low bits mix poorly on their own.
func finish(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// maxDepth is the deepest nesting the scanner follows, encoding/json's
// own limit: the scanner recurses, and a request body of "[" a few
// million times deep would overflow the stack — a fatal error no recover
// catches, which took the whole process down.
const maxDepth = 10000

type scanner struct {
	data []byte
	pos  int

	flag    string // a top-level member whose literal true is reported
	flagSet bool
	// capture names top-level members whose raw values are kept in
	// captured, at the same index.
	capture  []string
	captured [][]byte
	depth    int
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value(skip []string) (uint64, bool) {
	s.space()
	if s.pos >= len(s.data) {
		return 0, false
	}
	switch c := s.data[s.pos]; {
	case (c == '{' || c == '[') && s.depth >= maxDepth:
		return 0, false // hashed as raw bytes; the decoder refuses it
	case c == '{':
		return s.object(skip)
	case c == '[':
		return s.array()
	case c == '"':
		return s.str()
	case c == 't':
		return tagTrue, s.literal("true")
	case c == 'f':
		return tagFalse, s.literal("false")
	case c == 'n':
		return tagNull, s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	return 0, false
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return false
	}
	s.pos += len(word)
	return true
}

func (s *scanner) number() (uint64, bool) {
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.pos++
			continue
		}
		break
	}
	return fnv(offset64^tagNumber, s.data[start:s.pos]), s.pos > start
}

// object combines member hashes with addition, which is commutative, so
// key order cannot matter.
func (s *scanner) object(skip []string) (uint64, bool) {
	s.pos++ // '{'
	var sum uint64
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return tagObject, true
	}
	for {
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return 0, false
		}
		keyStart := s.pos
		kh, ok := s.str()
		if !ok {
			return 0, false
		}
		key := s.data[keyStart+1 : s.pos-1]
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return 0, false
		}
		s.pos++
		s.space()
		if s.depth == 0 && s.flag != "" && string(key) == s.flag {
			s.flagSet = s.pos+4 <= len(s.data) && string(s.data[s.pos:s.pos+4]) == "true"
		}
		valueStart := s.pos
		s.depth++
		vh, ok := s.value(nil)
		s.depth--
		if !ok {
			return 0, false
		}
		if s.depth == 0 {
			for i, c := range s.capture {
				if string(key) == c {
					s.captured[i] = s.data[valueStart:s.pos]
				}
			}
		}
		if !skipped(key, skip) {
			sum += finish(kh*prime64 ^ vh)
		}
		s.space()
		if s.pos >= len(s.data) {
			return 0, false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return fnv(offset64^tagObject, le(sum)), true
		default:
			return 0, false
		}
	}
}

func skipped(key []byte, skip []string) bool {
	for _, k := range skip {
		if string(key) == k {
			return true
		}
	}
	return false
}

func (s *scanner) array() (uint64, bool) {
	s.pos++ // '['
	s.depth++
	defer func() { s.depth-- }()
	h := offset64 ^ tagArray
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return h, true
	}
	for {
		vh, ok := s.value(nil)
		if !ok {
			return 0, false
		}
		h = fnv(h, le(vh))
		s.space()
		if s.pos >= len(s.data) {
			return 0, false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return h, true
		default:
			return 0, false
		}
	}
}

func le(v uint64) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24),
		byte(v >> 32), byte(v >> 40), byte(v >> 48), byte(v >> 56)}
}

// str hashes the decoded content of a string, so "\u0041" and "A" agree.
func (s *scanner) str() (uint64, bool) {
	s.pos++ // opening quote
	h := offset64 ^ tagString
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return h, true
		case c == '\\':
			r, ok := s.escape()
			if !ok {
				return 0, false
			}
			var buf [utf8.UTFMax]byte
			h = fnv(h, buf[:utf8.EncodeRune(buf[:], r)])
		case c < 0x20:
			return 0, false
		case c >= utf8.RuneSelf:
			// Invalid UTF-8 means U+FFFD to every JSON decoder we serve.
			r, size := utf8.DecodeRune(s.data[s.pos:])
			var buf [utf8.UTFMax]byte
			h = fnv(h, buf[:utf8.EncodeRune(buf[:], r)])
			s.pos += size
		default:
			h ^= uint64(c)
			h *= prime64
			s.pos++
		}
	}
	return 0, false
}

func (s *scanner) escape() (rune, bool) {
	if s.pos+1 >= len(s.data) {
		return 0, false
	}
	c := s.data[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
		r, ok := s.hex4()
		if !ok {
			return 0, false
		}
		if utf16.IsSurrogate(r) && s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
			save := s.pos
			s.pos += 2
			if r2, ok := s.hex4(); ok {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					return d, true
				}
			}
			s.pos = save
		}
		return r, true
	}
	return 0, false
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.pos += 4
	return r, true
}

func appendRune(b []byte, r rune) []byte { return utf8.AppendRune(b, r) }
