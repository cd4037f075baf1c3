package wire

import "bytes"

// SSEParser splits a byte stream into server-sent events incrementally, as
// the bytes arrive, following the WHATWG rules: lines end in LF, CRLF or
// CR; an event ends at a blank line; "data:" lines join with LF; one space
// after the colon is dropped; lines starting with ':' are comments.
//
// Every block of lines up to a blank line is reported, including
// comment-only blocks (keep-alives), with Raw holding its exact bytes, so a
// forwarder that re-sends Raw changes nothing.
type SSEParser struct {
	buf     []byte
	scanned int // bytes of buf already split into lines of the current block
	name    []byte
	data    []byte
	hasData bool
	multi   bool // data spans lines and was copied into joined
	joined  []byte
}

// Feed consumes p and calls emit for each event completed by it. The
// event's Name is copied; Data and Raw are valid only during emit. An error
// from emit stops parsing and is returned.
func (p *SSEParser) Feed(b []byte, emit func(Event) error) error {
	p.buf = append(p.buf, b...)
	start := 0 // first byte of the current block
	for {
		line, next, ok := nextLine(p.buf, p.scanned)
		if !ok {
			break
		}
		p.scanned = next
		if len(line) > 0 {
			p.field(line)
			continue
		}
		ev := p.event(p.buf[start:next])
		start = next
		if err := emit(ev); err != nil {
			p.compact(start)
			return err
		}
	}
	p.compact(start)
	return nil
}

// Pending returns the bytes of an event not yet terminated: what a stream
// cut short leaves behind.
func (p *SSEParser) Pending() []byte { return p.buf }

// compact drops the bytes of events already reported. Data of the current
// block may point into buf, so it is re-pointed after the move.
func (p *SSEParser) compact(start int) {
	if start == 0 {
		return
	}
	n := copy(p.buf, p.buf[start:])
	p.buf = p.buf[:n]
	p.scanned -= start
	p.reparse()
}

// reparse rebuilds the current block's fields from buf after a move, which
// is simpler than fixing up every slice into it.
func (p *SSEParser) reparse() {
	p.resetFields()
	pos := 0
	for pos < p.scanned {
		line, next, _ := nextLine(p.buf, pos)
		p.field(line)
		pos = next
	}
}

func (p *SSEParser) resetFields() {
	p.name, p.data, p.hasData, p.multi = nil, nil, false, false
	p.joined = p.joined[:0]
}

func (p *SSEParser) event(raw []byte) Event {
	ev := Event{Kind: SSE, Name: string(p.name), Raw: raw}
	if p.hasData {
		ev.Data = p.data
		if p.multi {
			ev.Data = p.joined
		}
		if ev.Data == nil {
			ev.Data = []byte{}
		}
	}
	p.resetFields()
	return ev
}

func (p *SSEParser) field(line []byte) {
	if line[0] == ':' {
		return
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "event":
		p.name = value
	case "data":
		switch {
		case !p.hasData:
			p.hasData, p.data = true, value
		case !p.multi:
			p.multi = true
			p.joined = append(append(append(p.joined[:0], p.data...), '\n'), value...)
		default:
			p.joined = append(append(p.joined, '\n'), value...)
		}
	}
}

// nextLine returns the line starting at pos and the offset after its
// terminator. A CR at the very end of buf is not yet a terminator: the LF
// of a CRLF may still be on its way.
func nextLine(buf []byte, pos int) (line []byte, next int, ok bool) {
	for i := pos; i < len(buf); i++ {
		switch buf[i] {
		case '\n':
			return buf[pos:i], i + 1, true
		case '\r':
			if i+1 == len(buf) {
				return nil, pos, false
			}
			if buf[i+1] == '\n' {
				return buf[pos:i], i + 2, true
			}
			return buf[pos:i], i + 1, true
		}
	}
	return nil, pos, false
}
