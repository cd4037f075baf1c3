package telemetry

import (
	"encoding/json"
	"math"
	"time"
)

// Record is one finished request, as the journal keeps it and the metrics
// count it: what the client saw, so a response never sent has no status.
// Once added to a Journal it is shared: treat its Faults, RequestRetry
// and ResponseRetry as read-only.
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
	// Source is what answered: simulated, forwarded (the upstream's
	// answer), replayed, fault (a fault answered in the source's place),
	// refused (the proxy turned the request away with an error of its
	// own: a replay miss, a body it could not read, an egress refusal,
	// upstreams: deny) or none (no source could answer and the proxy's
	// error says why: the provider has no upstream to forward to — a
	// configuration error, 500 — or the upstream could not be reached or
	// timed out before answering, 502 or 504).
	Source string `json:"source"`
	// Stream is set when the response was an event stream.
	Stream bool `json:"stream"`
	// Faults are the kinds of the faults that fired, in order.
	Faults []string `json:"faults,omitempty"`
	// Status is the status the client was sent; 0 when no status line
	// went out (an abort, a hang, a client that left first): Outcome
	// says what happened instead.
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
	// Outcome is how the response ended, as the client saw it: one of
	// the Outcome constants (complete, cut, aborted, reset, hung,
	// client_gone).
	Outcome string `json:"outcome"`
	// Complete is set when Outcome is complete: the response ran to its
	// end, neither cut short nor dropped.
	Complete bool `json:"complete"`
	// RequestRetry holds the retry-related headers the client sent, by
	// lower-case name: the SDKs' x-stainless-retry-count (0 on a first
	// attempt), x-stainless-timeout, x-stainless-read-timeout, and the
	// retry-count and x-retry-count other clients send. nil when there
	// were none.
	RequestRetry map[string]string `json:"request_retry,omitempty"`
	// ResponseRetry holds the retry advice the response gave, by
	// lower-case name: retry-after, retry-after-ms, x-should-retry. nil
	// when it gave none (and always when no response was sent).
	ResponseRetry map[string]string `json:"response_retry,omitempty"`
	// Body is the request body, cut to the journal's bound; "" unless the
	// journal keeps bodies.
	Body string `json:"body,omitempty"`
}

// The outcomes a Record reports: how a response ended, as the client saw
// it. Only complete is a response that ran to its end; the others say
// who or what ended it first.
const (
	// OutcomeComplete: the response ran to its end, whatever its status.
	OutcomeComplete = "complete"
	// OutcomeCut: the response started and ended early — a stream or
	// body fault truncated it or put an error event in place of its rest,
	// the upstream broke off mid-answer, or a drain deadline ended it.
	// The status is the one sent.
	OutcomeCut = "cut"
	// OutcomeAborted: the connection was closed with no (further)
	// response, by an abort fault or a bug's recovery; status 0 when
	// nothing had been sent.
	OutcomeAborted = "aborted"
	// OutcomeReset: the connection (HTTP/2: the stream) was reset, by
	// abort: {reset: true} or a stream fault's reset_after_events.
	OutcomeReset = "reset"
	// OutcomeHung: a hang fault held the request, sending nothing, until
	// the client gave up or the hang's max closed the connection; status
	// 0.
	OutcomeHung = "hung"
	// OutcomeClientGone: the client went away (its timeout, a cancelled
	// call) before the response ended, no fault having ended it; status
	// 0 when nothing had been sent.
	OutcomeClientGone = "client_gone"
)

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
