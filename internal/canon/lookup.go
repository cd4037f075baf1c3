package canon

// Lookup returns the raw JSON of a top-level member of the object in
// data, without decoding the rest: the front reads "stream" and "model"
// this way on every request. ok is false when data is not an object or has
// no such member; the last of duplicate members wins, as in decoders.
func Lookup(data []byte, key string) (raw []byte, ok bool) {
	s := scanner{data: data}
	s.space()
	if s.pos >= len(data) || data[s.pos] != '{' {
		return nil, false
	}
	s.pos++
	for {
		s.space()
		if s.pos < len(data) && data[s.pos] == '}' {
			return raw, ok
		}
		if s.pos >= len(data) || data[s.pos] != '"' {
			return nil, false
		}
		keyStart := s.pos
		if _, good := s.str(); !good {
			return nil, false
		}
		k := data[keyStart+1 : s.pos-1]
		s.space()
		if s.pos >= len(data) || data[s.pos] != ':' {
			return nil, false
		}
		s.pos++
		s.space()
		valStart := s.pos
		if _, good := s.value(nil); !good {
			return nil, false
		}
		if string(k) == key {
			raw, ok = data[valStart:s.pos], true
		}
		s.space()
		if s.pos >= len(data) {
			return nil, false
		}
		switch data[s.pos] {
		case ',':
			s.pos++
		case '}':
			return raw, ok
		default:
			return nil, false
		}
	}
}

// String returns a top-level string member, decoded; ok is false when it
// is absent or not a string.
func String(data []byte, key string) (string, bool) {
	raw, ok := Lookup(data, key)
	if !ok {
		return "", false
	}
	return Unquote(raw)
}

// Unquote decodes a raw JSON string; ok is false when raw is not one.
func Unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' || c >= 0x80 {
			return decodeString(raw)
		}
	}
	return string(inner), true
}

// decodeString unescapes a JSON string the slow way; model names rarely
// need it.
func decodeString(raw []byte) (string, bool) {
	s := scanner{data: raw}
	s.pos++
	var out []byte
	for s.pos < len(raw)-1 {
		c := raw[s.pos]
		if c == '\\' {
			r, ok := s.escape()
			if !ok {
				return "", false
			}
			out = appendRune(out, r)
			continue
		}
		out = append(out, c)
		s.pos++
	}
	return string(out), true
}

// ArrayLen counts the elements of the JSON array data starts with,
// without decoding them, so that a handler can refuse a request with too
// many before it builds them. ok is false when data does not start with a
// valid array.
func ArrayLen(data []byte) (n int, ok bool) {
	s := scanner{data: data, depth: 1}
	s.space()
	if s.pos >= len(data) || data[s.pos] != '[' {
		return 0, false
	}
	s.pos++
	s.space()
	if s.pos < len(data) && data[s.pos] == ']' {
		return 0, true
	}
	for {
		if _, good := s.value(nil); !good {
			return 0, false
		}
		n++
		s.space()
		if s.pos >= len(data) {
			return 0, false
		}
		switch data[s.pos] {
		case ',':
			s.pos++
		case ']':
			return n, true
		default:
			return 0, false
		}
	}
}
