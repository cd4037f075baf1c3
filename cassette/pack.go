package cassette

import (
	"bytes"
	"unsafe"
)

// packEvents moves the events' bytes into one buffer: one allocation per
// recording instead of one or two per event, and an event's Data shares
// its Raw's bytes when Raw holds it (a one-line "data:" field always
// does), which halves what a cached stream costs. Names are interned, so
// fifty "content_block_delta" are one string. The events are changed in
// place; payload is the bytes they now hold, each counted once.
func packEvents(evs []Event) (packed []Event, payload int64) {
	dataAt := make([]int, len(evs)) // where Data starts in Raw, or -1
	total := 0
	for i := range evs {
		ev := &evs[i]
		total += len(ev.Raw)
		dataAt[i] = -1
		if len(ev.Raw) > 0 && ev.Data != nil {
			dataAt[i] = bytes.Index(ev.Raw, ev.Data)
		}
		if dataAt[i] < 0 {
			total += len(ev.Data)
		}
	}
	buf := make([]byte, 0, total)
	put := func(b []byte) []byte {
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	var names []string
	for i := range evs {
		ev := &evs[i]
		if seen := len(names); ev.Name != "" {
			ev.Name = intern(&names, ev.Name)
			if len(names) > seen {
				payload += int64(len(ev.Name))
			}
		}
		hadData := ev.Data != nil
		if ev.Raw != nil {
			ev.Raw = put(ev.Raw)
		}
		switch {
		case dataAt[i] >= 0:
			end := dataAt[i] + len(ev.Data)
			ev.Data = ev.Raw[dataAt[i]:end:end]
		case hadData:
			ev.Data = put(ev.Data)
		}
	}
	return evs, payload + int64(total)
}

// intern returns the copy of s already in names, adding s when new. A
// stream has a handful of distinct event names, so a slice beats a map.
func intern(names *[]string, s string) string {
	if s == "" {
		return ""
	}
	for _, n := range *names {
		if n == s {
			return n
		}
	}
	*names = append(*names, s)
	return s
}

// The fixed costs the cache counts beside the bytes themselves.
const (
	recordingOverhead = int64(unsafe.Sizeof(Recording{})) + cacheNodeOverhead
	// cacheNodeOverhead is the LRU's list element and map slot.
	cacheNodeOverhead = 96
	eventOverhead     = int64(unsafe.Sizeof(Event{}))
	// headerValueOverhead is a map slot, a []string and a string header.
	headerValueOverhead = 64
)

// recordingSize estimates rec's memory, what the cache bounds: payload
// (from packEvents) and the fixed costs around it.
func recordingSize(rec *Recording, payload int64) int64 {
	n := recordingOverhead + int64(len(rec.File)) + eventOverhead*int64(cap(rec.Events)) + payload
	for k, vs := range rec.Header {
		n += headerValueOverhead + int64(len(k))
		for _, v := range vs {
			n += 16 + int64(len(v))
		}
	}
	return n
}
