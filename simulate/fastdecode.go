package simulate

import (
	"strconv"
)

// Fast-path decoding of chat requests.
//
// Under load most chat requests are the plain kind — a model, messages of
// role and string content, and a few scalar options — and the general
// decoder was the largest single cost of answering them (profiled under
// wrk). fastDecodeChat reads exactly that kind with a small hand-written
// scanner and allocates only the strings it keeps. Anything else — another
// member, a null, an array content, a number that is not a plain literal,
// malformed JSON — makes it give up, and the general decoder (with its
// error messages) takes the request. A fuzz test checks that whenever it
// accepts a body, it decodes it exactly as the general decoder does.

// fastDecodeChat decodes body into r if body is a plain chat request;
// false leaves r in an unspecified state for the general decoder to reset.
func fastDecodeChat(body []byte, r *chatRequest) bool {
	l := lexer{b: body}
	if !l.open('{') {
		return false
	}
	if l.close('}') {
		return l.end()
	}
	for {
		key, ok := l.key()
		if !ok || !r.fastMember(&l, key) {
			return false
		}
		if l.close('}') {
			return l.end()
		}
		if !l.open(',') {
			return false
		}
	}
}

func (r *chatRequest) fastMember(l *lexer, key []byte) bool {
	var ok bool
	switch string(key) {
	case "model":
		r.Model, ok = l.str()
	case "messages":
		r.Messages, ok = l.messages()
	case "stream":
		r.Stream, ok = l.boolPtr()
	case "max_tokens":
		r.MaxTokens, ok = l.intPtr()
	case "max_completion_tokens":
		r.MaxCompletionTokens, ok = l.intPtr()
	case "n":
		r.N, ok = l.intPtr()
	case "temperature":
		r.Temperature, ok = l.floatPtr()
	case "top_p":
		r.TopP, ok = l.floatPtr()
	case "user":
		var s string
		s, ok = l.str()
		r.User = &s
	case "stream_options":
		r.StreamOptions, ok = l.streamOptions()
	}
	return ok
}

func (l *lexer) messages() ([]chatMessage, bool) {
	if !l.open('[') {
		return nil, false
	}
	msgs := make([]chatMessage, 0, 4)
	if l.close(']') {
		return msgs, true
	}
	for {
		var m chatMessage
		if !l.message(&m) {
			return nil, false
		}
		msgs = append(msgs, m)
		if l.close(']') {
			return msgs, true
		}
		if !l.open(',') {
			return nil, false
		}
	}
}

func (l *lexer) message(m *chatMessage) bool {
	if !l.open('{') {
		return false
	}
	if l.close('}') {
		return true
	}
	for {
		key, ok := l.key()
		if !ok {
			return false
		}
		switch string(key) {
		case "role":
			m.Role, ok = l.role()
		case "content":
			m.Content.text, ok = l.str()
			m.Content.set = ok
		case "name":
			var s string
			s, ok = l.str()
			m.Name = &s
		default:
			return false
		}
		if !ok {
			return false
		}
		if l.close('}') {
			return true
		}
		if !l.open(',') {
			return false
		}
	}
}

func (l *lexer) streamOptions() (*streamOptions, bool) {
	o := &streamOptions{}
	if !l.open('{') {
		return nil, false
	}
	if l.close('}') {
		return o, true
	}
	for {
		key, ok := l.key()
		if !ok {
			return nil, false
		}
		switch string(key) {
		case "include_usage":
			o.IncludeUsage, ok = l.boolPtr()
		case "include_obfuscation":
			o.IncludeObfuscation, ok = l.boolPtr()
		default:
			return nil, false
		}
		if !ok {
			return nil, false
		}
		if l.close('}') {
			return o, true
		}
		if !l.open(',') {
			return nil, false
		}
	}
}

// lexer reads the few JSON forms the fast path accepts.
type lexer struct {
	b []byte
	i int
}

func (l *lexer) space() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// open consumes c, which must come next.
func (l *lexer) open(c byte) bool {
	l.space()
	if l.i < len(l.b) && l.b[l.i] == c {
		l.i++
		return true
	}
	return false
}

// close consumes c if it comes next.
func (l *lexer) close(c byte) bool { return l.open(c) }

func (l *lexer) end() bool {
	l.space()
	return l.i == len(l.b)
}

// key reads a member name and its colon. Names with escapes are left to
// the general decoder.
func (l *lexer) key() ([]byte, bool) {
	l.space()
	if l.i >= len(l.b) || l.b[l.i] != '"' {
		return nil, false
	}
	start := l.i + 1
	for j := start; j < len(l.b); j++ {
		switch l.b[j] {
		case '\\':
			return nil, false
		case '"':
			l.i = j + 1
			return l.b[start:j], l.open(':')
		}
	}
	return nil, false
}

// str reads a string value, unescaping as encoding/json does.
func (l *lexer) str() (string, bool) {
	l.space()
	if l.i >= len(l.b) || l.b[l.i] != '"' {
		return "", false
	}
	start := l.i
	for j := start + 1; j < len(l.b); j++ {
		switch c := l.b[j]; {
		case c == '\\':
			j++ // skip the escaped byte; unquote checks the escape
		case c < 0x20:
			return "", false
		case c == '"':
			l.i = j + 1
			s, err := unquote(l.b[start:l.i])
			return s, err == nil
		}
	}
	return "", false
}

// role reads a message's role: one of chatRoles as that constant, with
// no allocation — every message has one (BenchmarkFront: 13 → 11
// allocations); any other string as str reads it, for validate to refuse.
func (l *lexer) role() (string, bool) {
	l.space()
	for _, r := range chatRoles {
		end := l.i + 1 + len(r)
		if end < len(l.b) && l.b[l.i] == '"' && l.b[end] == '"' && string(l.b[l.i+1:end]) == r {
			l.i = end + 1
			return r, true
		}
	}
	return l.str()
}

func (l *lexer) boolPtr() (*bool, bool) {
	l.space()
	for _, lit := range [...]string{"true", "false"} {
		if len(l.b)-l.i >= len(lit) && string(l.b[l.i:l.i+len(lit)]) == lit {
			l.i += len(lit)
			v := lit == "true"
			return &v, true
		}
	}
	return nil, false
}

// number returns a number literal's text: an optional minus, digits, an
// optional fraction and exponent.
func (l *lexer) number() ([]byte, bool) {
	l.space()
	start := l.i
	for l.i < len(l.b) {
		c := l.b[l.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			l.i++
			continue
		}
		break
	}
	return l.b[start:l.i], l.i > start
}

// intPtr accepts only a plain integer literal; anything else (1.0, 1e3,
// leading zeros, overflow) is the general decoder's to judge.
func (l *lexer) intPtr() (*int, bool) {
	lit, ok := l.number()
	if !ok || (len(lit) > 1 && lit[0] == '0') || (len(lit) > 2 && lit[0] == '-' && lit[1] == '0') {
		return nil, false
	}
	for _, c := range lit[min(1, len(lit)):] {
		if c < '0' || c > '9' {
			return nil, false
		}
	}
	v, err := strconv.Atoi(string(lit))
	return &v, err == nil
}

func (l *lexer) floatPtr() (*float64, bool) {
	lit, ok := l.number()
	if !ok || !validNumber(lit) {
		return nil, false
	}
	v, err := strconv.ParseFloat(string(lit), 64)
	return &v, err == nil
}

// validNumber reports whether lit is a JSON number (the grammar is
// stricter than strconv's: no leading '+', no leading zeros, no bare '.').
func validNumber(lit []byte) bool {
	i := 0
	if i < len(lit) && lit[i] == '-' {
		i++
	}
	switch {
	case i < len(lit) && lit[i] == '0':
		i++
	case i < len(lit) && lit[i] >= '1' && lit[i] <= '9':
		for i < len(lit) && lit[i] >= '0' && lit[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(lit) && lit[i] == '.' {
		i++
		if i == len(lit) || lit[i] < '0' || lit[i] > '9' {
			return false
		}
		for i < len(lit) && lit[i] >= '0' && lit[i] <= '9' {
			i++
		}
	}
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		if i < len(lit) && (lit[i] == '+' || lit[i] == '-') {
			i++
		}
		if i == len(lit) || lit[i] < '0' || lit[i] > '9' {
			return false
		}
		for i < len(lit) && lit[i] >= '0' && lit[i] <= '9' {
			i++
		}
	}
	return i == len(lit)
}
