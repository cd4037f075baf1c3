package faults

import (
	"context"
	"strconv"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

func TestBodyCut(t *testing.T) {
	full := strconv.Itoa(len(fxJSONBody))
	cases := []struct {
		name   string
		sized  bool
		fault  Body
		body   string // what the client reads
		length string // the Content-Length it is told
		taken  int    // sends that succeeded: the next was cut
		err    error
	}{
		{"in the first chunk", true, Body{TruncateAtBytes: 30}, fxJSONBody[:30], "30", 1, ErrCut},
		{"in the second chunk", true, Body{TruncateAtBytes: 100}, fxJSONBody[:100], "100", 2, ErrCut},
		{"at a chunk boundary", true, Body{TruncateAtBytes: 60}, fxJSONBody[:60], "60", 2, ErrCut},
		{"keep length", true, Body{TruncateAtBytes: 30, KeepLength: true}, fxJSONBody[:30], full, 1, ErrCut},
		{"chunked", false, Body{TruncateAtBytes: 30}, fxJSONBody[:30], "", 1, ErrCut},
		{"sized, no longer than the cut", true, Body{TruncateAtBytes: len(fxJSONBody)}, fxJSONBody, full, 4, nil},
		{"chunked, shorter than the cut", false, Body{TruncateAtBytes: 1000}, fxJSONBody, "", 4, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.fault.Validate(); err != nil {
				t.Fatal(err)
			}
			x, _ := testExchange("openai")
			rec, w := recorder()
			src := fxJSON(c.sized)
			s := c.fault.Wrap(context.Background(), x, w)
			n, err := fxPlay(s, src)
			if n != c.taken || err != c.err || !w.Ended() {
				t.Fatalf("source sent %d, got %v; ended %v", n, err, w.Ended())
			}
			if rec.Body.String() != c.body || rec.Header().Get("Content-Length") != c.length {
				t.Fatalf("client got Content-Length %q and %q", rec.Header().Get("Content-Length"), rec.Body)
			}
			if c.sized && src[0].Header.Get("Content-Length") != full {
				t.Fatal("the source's header was changed")
			}
			if c.err == ErrCut && s.Send(wire.Event{Kind: wire.End}) != ErrCut {
				t.Fatal("a send after the cut did not return ErrCut")
			}
		})
	}
}

func TestBodyKeepLengthOfAChunkedBodyDropsTheConnection(t *testing.T) {
	x, _ := testExchange("openai")
	var reset bool
	x.Abort = func(r bool) { reset = r; panic(errAborted) }
	rec, w := recorder()
	s := (&Body{TruncateAtBytes: 30, KeepLength: true}).Wrap(context.Background(), x, w)
	if !aborted(func() { _, _ = fxPlay(s, fxJSON(false)) }) || reset {
		t.Fatalf("not closed (aborted with reset=%v)", reset)
	}
	if rec.Body.String() != fxJSONBody[:30] {
		t.Fatalf("client read %q before the close", rec.Body)
	}
}

func TestBodyValidate(t *testing.T) {
	for _, c := range []struct {
		fault Body
		ok    bool
	}{{Body{TruncateAtBytes: 1}, true}, {Body{}, false}, {Body{TruncateAtBytes: -5, KeepLength: true}, false}} {
		if err := c.fault.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.fault, err)
		}
	}
}
