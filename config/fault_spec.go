package config

import (
	"slices"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/internal/dist"
	"gopkg.in/yaml.v3"
)

// FaultSpec is one fault: a one-key map naming its type, whose value holds
// the fault's own fields beside its gate (probability, after, times,
// every). Exactly one field is set; validation says so otherwise.
type FaultSpec struct {
	// Latency delays the response before its first byte by a draw from a
	// distribution.
	Latency *LatencySpec `yaml:"latency"`
	// TTFT sets the time to first token (on responses passed through: a
	// delay before the first event).
	TTFT *TTFTSpec `yaml:"ttft"`
	// ITL sets the time between tokens (on responses passed through: a
	// delay between events).
	ITL *ITLSpec `yaml:"itl"`
	// Error answers with the provider's own error for a status.
	Error *ErrorSpec `yaml:"error"`
	// Raw answers with exactly the given status, headers and body.
	Raw *RawSpec `yaml:"raw"`
	// Content makes a well-formed answer wrong as models' answers are.
	Content *ContentSpec `yaml:"content"`
	// Body cuts a non-streaming body short.
	Body *BodySpec `yaml:"body"`
	// Abort drops the connection with no response.
	Abort *AbortSpec `yaml:"abort"`
	// Hang sends nothing until the client gives up.
	Hang *HangSpec `yaml:"hang"`
	// Stream cuts, breaks, corrupts or stalls an event stream.
	Stream *StreamSpec `yaml:"stream"`
	// Throttle caps the rate the response leaves at.
	Throttle *ThrottleSpec `yaml:"throttle"`
	// RateLimit is a provider-faithful rate limit with its headers.
	RateLimit *RateLimitSpec `yaml:"rate_limit"`
	// Backpressure is a concurrency limit with a bounded queue.
	Backpressure *BackpressureSpec `yaml:"backpressure"`

	// Digest identifies the fault's content, set when it is checked: its
	// state (a gate's counts, a limiter's windows) survives a reload
	// exactly when it is unchanged.
	Digest uint64 `yaml:"-"`
}

// GateSpec decides whether a fault fires; its keys sit beside the fault's.
type GateSpec struct {
	// Probability that the fault fires for a request it may fire for,
	// 0..1. Default 1.
	Probability *float64 `yaml:"probability"`
	// After lets the first N matching requests through. Default 0.
	After int `yaml:"after"`
	// Times caps the firings. Default 0: no cap.
	Times int `yaml:"times"`
	// Every fires on every Nth request past After only. Default 0: all.
	Every int `yaml:"every"`
}

var gateKeys = []string{"probability", "after", "times", "every"}

// DistFault is a fault whose value is a distribution (latency, ttft,
// itl), written with the gate's keys beside the distribution's:
// {dist: lognormal, median: 400ms, p99: 2s, probability: 0.5}.
type DistFault struct {
	D    dist.Dist
	Gate GateSpec
}

// LatencySpec, TTFTSpec and ITLSpec are the distribution faults; each is
// its own type so that each builds its own fault.
type (
	LatencySpec struct{ DistFault }
	TTFTSpec    struct{ DistFault }
	ITLSpec     struct{ DistFault }
)

// UnmarshalYAML implements yaml.Unmarshaler: it splits the gate's keys
// from the distribution's and checks each part strictly.
func (f *DistFault) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return units.Errorf(n, "expected a distribution such as {dist: constant, value: 200ms}")
	}
	gate := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	rest := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		target := rest
		if slices.Contains(gateKeys, n.Content[i].Value) {
			target = gate
		}
		target.Content = append(target.Content, n.Content[i], n.Content[i+1])
	}
	var problems []string
	if err := gate.Decode(&f.Gate); err != nil {
		problems = append(problems, units.Messages(err)...)
	}
	d, err := units.ParseDist(rest, true)
	if err != nil {
		problems = append(problems, units.Messages(err)...)
	}
	f.D = d
	if len(problems) > 0 {
		return &yaml.TypeError{Errors: problems}
	}
	return nil
}

// ErrorSpec answers with the provider's error for a status.
type ErrorSpec struct {
	GateSpec `yaml:",inline"`
	// Status is the HTTP status. Required.
	Status int `yaml:"status"`
	// Code picks among a status's errors (OpenAI 429: rate_limit_exceeded
	// or insufficient_quota) or sets the code. Default: the usual one.
	Code string `yaml:"code"`
	// Type overrides the error type.
	Type string `yaml:"type"`
	// Message overrides the message.
	Message string `yaml:"message"`
	// Headers are added to the answer.
	Headers map[string]string `yaml:"headers"`
	// RetryAfter sets retry-after (and retry-after-ms for OpenAI).
	RetryAfter units.Duration `yaml:"retry_after"`
	// ShouldRetry sets x-should-retry, which the official SDKs obey.
	ShouldRetry *bool `yaml:"should_retry"`
}

// RawSpec answers with exactly these bytes.
type RawSpec struct {
	GateSpec `yaml:",inline"`
	// Status is the HTTP status. Default 200.
	Status int `yaml:"status"`
	// ContentType is sent as Content-Type. Default none.
	ContentType string `yaml:"content_type"`
	// Body is sent as it is. Default empty.
	Body string `yaml:"body"`
	// Headers are added to the answer.
	Headers map[string]string `yaml:"headers"`
}

// ContentSpec makes a well-formed answer wrong in the ways models' are.
type ContentSpec struct {
	GateSpec `yaml:",inline"`
	// Finish is length, content_filter or refusal, in each provider's terms.
	Finish string `yaml:"finish"`
	// InvalidToolArguments makes tool-call arguments invalid JSON.
	InvalidToolArguments bool `yaml:"invalid_tool_arguments"`
	// UnknownTool renames tool calls to a tool the request did not offer.
	UnknownTool string `yaml:"unknown_tool"`
	// Empty makes the answer's text empty.
	Empty bool `yaml:"empty"`
}

// BodySpec cuts a non-streaming body.
type BodySpec struct {
	GateSpec `yaml:",inline"`
	// TruncateAtBytes cuts the body after N bytes. Required.
	TruncateAtBytes int `yaml:"truncate_at_bytes"`
	// KeepLength keeps the original Content-Length, so the client sees an
	// unexpected end of body. Default false: the length matches the cut.
	KeepLength bool `yaml:"keep_length"`
}

// AbortSpec drops the connection with no response.
type AbortSpec struct {
	GateSpec `yaml:",inline"`
	// Reset sends an RST instead of closing cleanly. Default false.
	Reset bool `yaml:"reset"`
}

// HangSpec sends nothing until the client gives up.
type HangSpec struct {
	GateSpec `yaml:",inline"`
	// Max bounds the hang, then the connection is closed. Default 10m.
	Max units.Duration `yaml:"max"`
}

// StreamSpec breaks an event stream; set exactly one mode.
type StreamSpec struct {
	GateSpec `yaml:",inline"`
	// TruncateAfterEvents ends the stream cleanly after N events, without
	// the terminal event or [DONE].
	TruncateAfterEvents int `yaml:"truncate_after_events"`
	// ResetAfterEvents resets the connection after N events.
	ResetAfterEvents int `yaml:"reset_after_events"`
	// ErrorAfterEvents sends the provider's in-stream error after N events.
	ErrorAfterEvents int `yaml:"error_after_events"`
	// ErrorStatus is that error's status. Default 500 (Anthropic 529).
	ErrorStatus int `yaml:"error_status"`
	// MalformedAfterEvents corrupts the event after the Nth.
	MalformedAfterEvents int `yaml:"malformed_after_events"`
	// Stall pauses the stream after some events.
	Stall *StallSpec `yaml:"stall"`
	// DropDone leaves out the terminal event but ends normally.
	DropDone bool `yaml:"drop_done"`
}

// StallSpec pauses a stream.
type StallSpec struct {
	// AfterEvents is when the pause starts.
	AfterEvents int `yaml:"after_events"`
	// Duration is how long it lasts. Required.
	Duration units.Duration `yaml:"duration"`
}

// ThrottleSpec caps the rate a response leaves at.
type ThrottleSpec struct {
	GateSpec `yaml:",inline"`
	// BytesPerSecond caps bytes per second ("16KiB"). Default none.
	BytesPerSecond units.Size `yaml:"bytes_per_second"`
	// EventsPerSecond caps events per second. Default none.
	EventsPerSecond float64 `yaml:"events_per_second"`
}

// RateLimitSpec is a provider-faithful rate limit.
type RateLimitSpec struct {
	GateSpec `yaml:",inline"`
	// RequestsPerMinute limits requests. Default none.
	RequestsPerMinute int `yaml:"requests_per_minute"`
	// TokensPerMinute limits prompt plus completion tokens. Default none.
	TokensPerMinute int `yaml:"tokens_per_minute"`
	// InputTokensPerMinute limits prompt tokens (Anthropic). Default none.
	InputTokensPerMinute int `yaml:"input_tokens_per_minute"`
	// OutputTokensPerMinute limits completion tokens (Anthropic). Default
	// none.
	OutputTokensPerMinute int `yaml:"output_tokens_per_minute"`
	// Key partitions the limit: empty (per rule and scope), api_key, or
	// header:NAME. Default empty.
	Key string `yaml:"key"`
}

// BackpressureSpec is a concurrency limit with a bounded queue.
type BackpressureSpec struct {
	GateSpec `yaml:",inline"`
	// MaxConcurrency is how many requests are served at once. Required.
	MaxConcurrency int `yaml:"max_concurrency"`
	// Queue is how many more may wait. Default 0: none wait.
	Queue int `yaml:"queue"`
	// QueueTimeout bounds a wait. Default 30s.
	QueueTimeout units.Duration `yaml:"queue_timeout"`
	// Status is OpenAI's overload status: 503 (default) or 429. Anthropic
	// always answers 529.
	Status int `yaml:"status"`
}
