package telemetry

import (
	"encoding/json"
	"math"
	"time"
)

// Record is one finished request, as the journal keeps it and the metrics
// count it. Once added to a Journal it is shared: treat its Faults and
// Retry as read-only.
//
// In JSON, TTFB and Duration are ttfb_ms and duration_ms, float
// milliseconds; the other fields are as tagged.
type Record struct {
	// Time is when the request arrived.
	Time time.Time `json:"time"`
	// RequestID is the id the answer carries (a provider-shaped
	// chatcmpl-…/req_… id); "" when the request was refused before one
	// was made.
	RequestID string `json:"request_id"`
	// Method is the request's HTTP method.
	Method string `json:"method"`
	// Path is the API path, any provider prefix removed; never the query.
	// For a CONNECT the egress policy refused, its target (host:port).
	Path string `json:"path"`
	// Host is the host the request was meant for: the proxied host, or
	// the provider's upstream host for a base-URL request.
	Host string `json:"host,omitempty"`
	// Provider is the config's provider name (openai, anthropic, …).
	Provider string `json:"provider"`
	// Dialect is the API the provider speaks (openai, anthropic, …): the
	// shape of its answers and errors. Providers with names of their own
	// (groq, a local vLLM) speak one of these.
	Dialect string `json:"dialect"`
	// Model is the model the request names: the body's "model", or an
	// Azure deployment path's deployment; "" when it has none.
	Model string `json:"model,omitempty"`
	// Scope is the request's scope header, "" when it has none.
	Scope string `json:"scope,omitempty"`
	// Rule is the name of the rule that took the request, "default" when
	// none did, "egress" for a CONNECT the egress policy refused.
	Rule string `json:"rule"`
	// Action is the rule's action: simulate, forward, record, replay or
	// replay_or_record.
	Action string `json:"action,omitempty"`
	// Source is what answered: simulated, forwarded, replayed, refused
	// (the proxy answered with an error of its own, such as a replay
	// miss) or fault (a fault answered in the source's place).
	Source string `json:"source"`
	// Stream is set when the response was an event stream.
	Stream bool `json:"stream"`
	// Faults are the kinds of the faults that fired, in order.
	Faults []string `json:"faults,omitempty"`
	// Status is the status sent, or that would have been had the
	// response started.
	Status int `json:"status"`
	// TTFB is the time from arrival to the status line going out: for a
	// stream, the first event. Zero when nothing went out.
	TTFB time.Duration `json:"-"`
	// Duration is the time from arrival to the end of the handler.
	Duration time.Duration `json:"-"`
	// Bytes counts the body bytes written.
	Bytes int64 `json:"bytes"`
	// Events counts the SSE events written.
	Events int `json:"events"`
	// Complete is set when the response ran to its end: not aborted, cut
	// by the client or failed half-way.
	Complete bool `json:"complete"`
	// Retry holds the retry-related headers, by lower-case name: those
	// SDKs send with a request (x-stainless-retry-count,
	// x-stainless-timeout, …) and those the response told the client
	// (retry-after, x-should-retry). nil when there were none.
	Retry map[string]string `json:"retry,omitempty"`
	// Body is the request body, cut to the journal's bound; "" unless the
	// journal keeps bodies.
	Body string `json:"body,omitempty"`
}

// recordFields is Record without its methods, so the JSON methods can
// reuse its tags.
type recordFields Record

// MarshalJSON implements json.Marshaler.
func (r Record) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		recordFields
		TTFB     float64 `json:"ttfb_ms"`
		Duration float64 `json:"duration_ms"`
	}{recordFields(r), millis(r.TTFB), millis(r.Duration)})
}

// UnmarshalJSON implements json.Unmarshaler, so a client of the admin API
// reads back what it served.
func (r *Record) UnmarshalJSON(data []byte) error {
	var v struct {
		recordFields
		TTFB     float64 `json:"ttfb_ms"`
		Duration float64 `json:"duration_ms"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*r = Record(v.recordFields)
	r.TTFB, r.Duration = fromMillis(v.TTFB), fromMillis(v.Duration)
	return nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}
