package rules

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
)

// builtFault is a fault built from its spec, not yet bound to a store.
type builtFault struct {
	fault faults.Fault
	gate  faults.Gate
}

// faultKinds names the fault types, in the order FaultSpec declares them.
var faultKinds = func() []string {
	t := reflect.TypeFor[FaultSpec]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("yaml")
	}
	return out
}()

// buildFault builds the one fault a spec names.
func buildFault(s *FaultSpec) (builtFault, error) {
	var set []string
	v := reflect.ValueOf(s).Elem()
	for i, kind := range faultKinds {
		if !v.Field(i).IsNil() {
			set = append(set, kind)
		}
	}
	switch len(set) {
	case 0:
		return builtFault{}, fmt.Errorf("a fault names its type, one of: %v", faultKinds)
	case 1:
	default:
		return builtFault{}, fmt.Errorf("a fault is a one-key map naming one type; this one names %v", set)
	}
	f, g, err := buildOne(s)
	if err != nil {
		// Faults' own messages may already name their kind.
		return builtFault{}, fmt.Errorf("%s: %s", set[0], strings.TrimPrefix(err.Error(), set[0]+": "))
	}
	gate := faults.Gate{Probability: g.Probability, After: g.After, Times: g.Times, Every: g.Every}
	if err := gate.Validate(); err != nil {
		return builtFault{}, fmt.Errorf("%s: %w", set[0], err)
	}
	return builtFault{fault: f, gate: gate}, nil
}

func buildOne(s *FaultSpec) (faults.Fault, GateSpec, error) {
	switch {
	case s.Latency != nil:
		return &faults.Latency{D: s.Latency.D}, s.Latency.Gate, nil
	case s.TTFT != nil:
		return &faults.TTFT{D: s.TTFT.D}, s.TTFT.Gate, nil
	case s.ITL != nil:
		return &faults.ITL{D: s.ITL.D}, s.ITL.Gate, nil
	case s.Error != nil:
		f, err := buildError(s.Error)
		return f, s.Error.GateSpec, err
	case s.Raw != nil:
		status := s.Raw.Status
		if status == 0 {
			status = http.StatusOK
		}
		if status < 100 || status > 599 {
			return nil, s.Raw.GateSpec, fmt.Errorf("status %d is not an HTTP status", status)
		}
		return &faults.Raw{Status: status, ContentType: s.Raw.ContentType, Body: []byte(s.Raw.Body),
			Header: header(s.Raw.Headers)}, s.Raw.GateSpec, nil
	case s.Abort != nil:
		return &faults.Abort{Reset: s.Abort.Reset}, s.Abort.GateSpec, nil
	case s.Hang != nil:
		return &faults.Hang{Max: s.Hang.Max.D()}, s.Hang.GateSpec, nil
	}
	return buildStage(s)
}

func buildError(s *ErrorSpec) (*faults.Error, error) {
	if s.Status < 400 || s.Status > 599 {
		return nil, fmt.Errorf("status %d is not an error status (400..599)", s.Status)
	}
	return &faults.Error{Status: s.Status, Code: s.Code, Type: s.Type, Message: s.Message,
		Header: header(s.Headers), RetryAfter: s.RetryAfter.D(), ShouldRetry: s.ShouldRetry}, nil
}

// buildStage builds the faults that act on the response on its way out,
// and the limiters.
func buildStage(s *FaultSpec) (faults.Fault, GateSpec, error) {
	switch {
	case s.Content != nil:
		f := &faults.Content{Finish: s.Content.Finish, InvalidToolArguments: s.Content.InvalidToolArguments,
			UnknownTool: s.Content.UnknownTool, Empty: s.Content.Empty}
		return f, s.Content.GateSpec, f.Validate()
	case s.Body != nil:
		f := &faults.Body{TruncateAtBytes: s.Body.TruncateAtBytes, KeepLength: s.Body.KeepLength}
		return f, s.Body.GateSpec, f.Validate()
	case s.Stream != nil:
		f := streamFault(s.Stream)
		return f, s.Stream.GateSpec, f.Validate()
	case s.Throttle != nil:
		f := &faults.Throttle{BytesPerSecond: int(s.Throttle.BytesPerSecond), EventsPerSecond: s.Throttle.EventsPerSecond}
		return f, s.Throttle.GateSpec, f.Validate()
	case s.RateLimit != nil:
		r := s.RateLimit
		f := &faults.RateLimit{RequestsPerMinute: r.RequestsPerMinute, TokensPerMinute: r.TokensPerMinute,
			InputTokensPerMinute: r.InputTokensPerMinute, OutputTokensPerMinute: r.OutputTokensPerMinute, Key: r.Key}
		return f, r.GateSpec, f.Validate()
	case s.Backpressure != nil:
		b := s.Backpressure
		timeout := b.QueueTimeout.D()
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		f := &faults.Backpressure{MaxConcurrency: b.MaxConcurrency, QueueSize: b.Queue, QueueTimeout: timeout, Status: b.Status}
		return f, b.GateSpec, f.Validate()
	}
	return nil, GateSpec{}, errors.New("no fault")
}

func streamFault(s *StreamSpec) *faults.Stream {
	f := &faults.Stream{TruncateAfterEvents: s.TruncateAfterEvents, ResetAfterEvents: s.ResetAfterEvents,
		ErrorAfterEvents: s.ErrorAfterEvents, ErrorStatus: s.ErrorStatus,
		MalformedAfterEvents: s.MalformedAfterEvents, DropDone: s.DropDone}
	if s.Stall != nil {
		f.Stall = &faults.StreamStall{AfterEvents: s.Stall.AfterEvents, Duration: s.Stall.Duration.D()}
	}
	return f
}

func header(m map[string]string) http.Header {
	if len(m) == 0 {
		return nil
	}
	h := make(http.Header, len(m))
	for k, v := range m {
		h.Set(k, v)
	}
	return h
}
