package config

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
)

// faultFactory is what every field of FaultSpec holds: a fault type's
// spec, which builds its fault and carries its gate. Adding a fault type
// is a file in faults/, a spec with these two methods, and a field in
// FaultSpec; the registry below finds it by reflection.
type faultFactory interface {
	build() (faults.Fault, error)
	gates() GateSpec
}

// faultKinds names the fault types, in the order FaultSpec declares them;
// FaultSpec's field i holds the factory of faultKinds[i].
var faultKinds = func() []string {
	t := reflect.TypeFor[FaultSpec]()
	factory := reflect.TypeFor[faultFactory]()
	out := make([]string, t.NumField()-1) // all but Digest
	for i := range out {
		f := t.Field(i)
		if !f.Type.Implements(factory) {
			panic("rules: FaultSpec." + f.Name + " is not a faultFactory")
		}
		out[i] = f.Tag.Get("yaml")
	}
	return out
}()

// Build builds the one fault a spec names, with its gate: a new fault at
// each call, since a fault is bound to one instance.
func (s *FaultSpec) Build() (faults.Fault, faults.Gate, error) {
	var set []string
	var factory faultFactory
	v := reflect.ValueOf(s).Elem()
	for i, kind := range faultKinds {
		if !v.Field(i).IsNil() {
			set, factory = append(set, kind), v.Field(i).Interface().(faultFactory)
		}
	}
	switch len(set) {
	case 0:
		return nil, faults.Gate{}, fmt.Errorf("a fault names its type, one of: %v", faultKinds)
	case 1:
	default:
		return nil, faults.Gate{}, fmt.Errorf("a fault is a one-key map naming one type; this one names %v", set)
	}
	f, err := factory.build()
	if err != nil {
		// Faults' own messages may already name their kind.
		return nil, faults.Gate{}, fmt.Errorf("%s: %s", set[0], strings.TrimPrefix(err.Error(), set[0]+": "))
	}
	g := factory.gates()
	gate := faults.Gate{Probability: g.Probability, After: g.After, Times: g.Times, Every: g.Every}
	if err := gate.Validate(); err != nil {
		return nil, faults.Gate{}, fmt.Errorf("%s: %w", set[0], err)
	}
	return f, gate, nil
}

func (g GateSpec) gates() GateSpec   { return g }
func (f *DistFault) gates() GateSpec { return f.Gate }

// The factories, one per fault type.

func (s *LatencySpec) build() (faults.Fault, error) { return &faults.Latency{D: s.D}, nil }
func (s *TTFTSpec) build() (faults.Fault, error)    { return &faults.TTFT{D: s.D}, nil }
func (s *ITLSpec) build() (faults.Fault, error)     { return &faults.ITL{D: s.D}, nil }

func (s *ErrorSpec) build() (faults.Fault, error) {
	if s.Status < 400 || s.Status > 599 {
		return nil, fmt.Errorf("status %d is not an error status (400..599)", s.Status)
	}
	return &faults.Error{Status: s.Status, Code: s.Code, Type: s.Type, Message: s.Message,
		Header: header(s.Headers), RetryAfter: s.RetryAfter.D(), ShouldRetry: s.ShouldRetry}, nil
}

func (s *RawSpec) build() (faults.Fault, error) {
	status := s.Status
	if status == 0 {
		status = http.StatusOK
	}
	if status < 100 || status > 599 {
		return nil, fmt.Errorf("status %d is not an HTTP status", status)
	}
	return &faults.Raw{Status: status, ContentType: s.ContentType, Body: []byte(s.Body), Header: header(s.Headers)}, nil
}

func (s *AbortSpec) build() (faults.Fault, error) { return &faults.Abort{Reset: s.Reset}, nil }

func (s *HangSpec) build() (faults.Fault, error) { return &faults.Hang{Max: s.Max.D()}, nil }

func (s *ContentSpec) build() (faults.Fault, error) {
	f := &faults.Content{Finish: s.Finish, InvalidToolArguments: s.InvalidToolArguments,
		UnknownTool: s.UnknownTool, Empty: s.Empty}
	return f, f.Validate()
}

func (s *BodySpec) build() (faults.Fault, error) {
	f := &faults.Body{TruncateAtBytes: s.TruncateAtBytes, KeepLength: s.KeepLength}
	return f, f.Validate()
}

func (s *StreamSpec) build() (faults.Fault, error) {
	f := &faults.Stream{TruncateAfterEvents: s.TruncateAfterEvents, ResetAfterEvents: s.ResetAfterEvents,
		ErrorAfterEvents: s.ErrorAfterEvents, ErrorStatus: s.ErrorStatus,
		MalformedAfterEvents: s.MalformedAfterEvents, DropDone: s.DropDone}
	if s.Stall != nil {
		f.Stall = &faults.StreamStall{AfterEvents: s.Stall.AfterEvents, Duration: s.Stall.Duration.D()}
	}
	return f, f.Validate()
}

func (s *ThrottleSpec) build() (faults.Fault, error) {
	f := &faults.Throttle{BytesPerSecond: int(s.BytesPerSecond), EventsPerSecond: s.EventsPerSecond}
	return f, f.Validate()
}

func (s *RateLimitSpec) build() (faults.Fault, error) {
	f := &faults.RateLimit{RequestsPerMinute: s.RequestsPerMinute, TokensPerMinute: s.TokensPerMinute,
		InputTokensPerMinute: s.InputTokensPerMinute, OutputTokensPerMinute: s.OutputTokensPerMinute, Key: s.Key}
	return f, f.Validate()
}

func (s *BackpressureSpec) build() (faults.Fault, error) {
	timeout := s.QueueTimeout.D()
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	f := &faults.Backpressure{MaxConcurrency: s.MaxConcurrency, QueueSize: s.Queue, QueueTimeout: timeout, Status: s.Status}
	return f, f.Validate()
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
