package faults

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

func TestStreamErrorInTheFramingsShape(t *testing.T) {
	const serverError = "The server had an error while processing your request. Sorry about that!"
	cases := []struct {
		name   string
		src    []wire.Event
		status int
		event  string // the error event's name
		want   string // its data, compared as JSON: every field present
	}{
		{"chat", fxChat(), 0, "",
			`{"error":{"message":"` + serverError + `","type":"server_error","param":null,"code":null}}`},
		{"chat 429", fxChat(), 429, "",
			`{"error":{"message":"Rate limit reached for requests per min (RPM). Please try again later. Visit https://platform.openai.com/account/rate-limits to learn more.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`},
		{"responses", fxResponses(), 0, "error",
			`{"type":"error","code":null,"message":"` + serverError + `","param":null,"sequence_number":2}`},
		{"anthropic", fxAnthropic(), 0, "error",
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`},
		{"anthropic 500", fxAnthropic(), 500, "error",
			`{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &Stream{ErrorAfterEvents: 2, ErrorStatus: c.status}
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			x, _ := testExchange("openai")
			rec, w := recorder()
			n, err := fxPlay(f.Wrap(context.Background(), x, w), c.src)
			if n != 3 || err != ErrCut || !w.Ended() {
				t.Fatalf("source sent %d, got %v; ended %v", n, err, w.Ended())
			}
			if !strings.HasPrefix(rec.Body.String(), fxWire(c.src[1:3]...)) {
				t.Fatalf("the events before the error are not intact: %q", rec.Body)
			}
			evs := fxParse(t, rec.Body.Bytes())
			if len(evs) != 3 || evs[2].Name != c.event {
				t.Fatalf("client got %d events, the last named %q", len(evs), evs[len(evs)-1].Name)
			}
			var got, want any
			if err := json.Unmarshal(evs[2].Data, &got); err != nil {
				t.Fatalf("error event %q: %v", evs[2].Data, err)
			}
			_ = json.Unmarshal([]byte(c.want), &want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("error event\n%s\nwant\n%s", evs[2].Data, c.want)
			}
		})
	}
}

func TestStreamValidate(t *testing.T) {
	cases := []struct {
		fault Stream
		ok    bool
	}{
		{Stream{TruncateAfterEvents: 1}, true},
		{Stream{ErrorAfterEvents: 3, ErrorStatus: 529}, true},
		{Stream{Stall: &StreamStall{Duration: units.Duration(1)}}, true},
		{Stream{DropDone: true}, true},
		{Stream{}, false},
		{Stream{TruncateAfterEvents: 1, DropDone: true}, false},
		{Stream{ResetAfterEvents: -1}, false},
		{Stream{TruncateAfterEvents: 2, ErrorStatus: 500}, false},
		{Stream{ErrorAfterEvents: 2, ErrorStatus: 200}, false},
		{Stream{Stall: &StreamStall{AfterEvents: 2}}, false},
		{Stream{Stall: &StreamStall{AfterEvents: -1, Duration: units.Duration(1)}}, false},
	}
	for _, c := range cases {
		if err := c.fault.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.fault, err)
		}
	}
}
