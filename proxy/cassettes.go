package proxy

import (
	"fmt"
	"net/http"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
)

// cassetteHeader selects a named cassette for one request, overriding
// the rule's.
const cassetteHeader = "X-Llmsim-Cassette"

// source is what answers a request once the rule's action and, for
// replay, the cassettes have spoken.
type source uint8

const (
	fromSimulator source = iota
	fromUpstream
	fromCassette
	refused // a provider-shaped error says why: a miss, a bad cassette name
)

// recording is a request's business with the cassettes.
type recording struct {
	spec   config.CassetteSpec
	req    cassette.Request
	record bool                // forward, and store the answer
	hit    *cassette.Recording // replay this
	// replaces is a recorded error answer that replay_or_record asks the
	// upstream about again: a 2xx answer takes its place.
	replaces *cassette.Recording
	why      *wire.APIError // refused: the answer
	header   http.Header    // a replay's head, reused across requests

	recorder  *cassette.Recorder // set while recording
	relayed   bool               // the upstream answered and the relay ran
	committed bool               // the recording was committed or discarded
	terminal  bool               // the stream's terminal event reached the client
}

// decideSource turns the action into a source, looking the request up in
// the cassettes for replay. It runs after the admitters, so a fault that
// answers in the source's place does not use up a recording.
func (f *Front) decideSource(x *exchange, rule *rules.Rule, action string) source {
	switch action {
	case "forward":
		return fromUpstream
	case "record", "replay", "replay_or_record":
	default:
		return fromSimulator
	}
	c := &x.cass
	c.spec = config.DefaultCassette(action)
	if rule != nil {
		c.spec = rule.Cassette
	}
	if err := f.cassetteRequest(x); err != nil {
		c.why = &wire.APIError{Status: http.StatusBadRequest, Message: err.Error()}
		return refused
	}
	if action == "record" {
		c.record = true
		return fromUpstream
	}
	rec, miss, err := f.lookup(x)
	switch {
	case err != nil:
		// Not a failure of ours: the file changed under us. The request
		// did not replay, which is what a miss says too.
		c.why = &wire.APIError{Status: http.StatusNotFound, Code: "recording_unreadable", Message: "llm-simulator: " + err.Error()}
		return refused
	case rec != nil && action == "replay_or_record" && !c.spec.RecordErrors && !cassette.Success(rec.Status):
		// A recorded error — kept by a rule with record_errors, or by an
		// older version — is not an answer this rule keeps: ask again.
		c.record, c.replaces = true, rec
		return fromUpstream
	case rec != nil:
		c.hit = rec
		return fromCassette
	case action == "replay_or_record":
		c.record = true
		return fromUpstream
	}
	return f.onMiss(x, miss)
}

// cassetteRequest fills what keys the request in the cassettes.
func (f *Front) cassetteRequest(x *exchange) error {
	c := &x.cass
	name := c.spec.Name
	if h := x.r.Header.Get(cassetteHeader); h != "" {
		if err := cassette.ValidName(h); err != nil {
			return fmt.Errorf("llm-simulator: %s %q: %v", cassetteHeader, h, err)
		}
		name = h
	}
	c.req = cassette.Request{Cassette: name, Method: x.req.Method, Provider: x.tgt.provider, Host: x.mreq.Host,
		Path: x.req.Path, Query: x.req.Query, Header: x.req.Header, Body: x.req.Body}
	return nil
}

func (f *Front) lookup(x *exchange) (*cassette.Recording, *cassette.Miss, error) {
	if f.Cassettes == nil {
		return nil, &cassette.Miss{Cassette: x.cass.req.Cassette, Method: x.req.Method, Provider: x.tgt.provider, Path: x.req.Path}, nil
	}
	after := cassette.RepeatLast
	if x.cass.spec.AfterLast == "wrap" {
		after = cassette.Wrap
	}
	return f.Cassettes.Replay(&x.cass.req, x.fx.Scope, after)
}

// onMiss is the rule's answer to a replay that found no recording.
func (f *Front) onMiss(x *exchange, miss *cassette.Miss) source {
	switch x.cass.spec.OnMiss {
	case "forward":
		return fromUpstream
	case "simulate":
		return fromSimulator
	}
	x.cass.why = &wire.APIError{Status: http.StatusNotFound, Code: "no_recording",
		Message: fmt.Sprintf("llm-simulator: rule %q replays recordings, and %s", x.head.rule[0], miss)}
	return refused
}

// faultSource is the source as faults see it.
func (s source) faultSource() faults.Source {
	switch s {
	case fromUpstream:
		return faults.Forwarded
	case fromCassette:
		return faults.Replayed
	}
	return faults.Simulated
}
