package proxy

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
)

// defaultJournalMaxBody bounds a journaled body when JournalMaxBody is 0,
// as the config's default does.
const defaultJournalMaxBody = 64 << 10

// observed reports whether anything wants the request's record; when
// nothing does, a request pays for none of it.
func (f *Front) observed() bool { return f.Journal != nil || f.Metrics != nil || f.AccessLog }

// watch has the Writer time the first byte and, for the metrics, report
// when a response starts.
func (f *Front) watch(x *exchange) {
	x.out.TimeFirstByte(x.clock)
	if f.Metrics != nil {
		x.metrics = f.Metrics
		x.out.OnStart(x.onStart)
	}
}

// started is the Writer's start hook: an event stream whose status line
// goes out is in flight until account ends it.
func (x *exchange) started() {
	if x.out.Stream() != wire.NotStream {
		x.streaming = true
		x.metrics.StreamStarted()
	}
}

// account makes the request's record and hands it to the metrics, the
// journal and the access log. ServeHTTP defers it before the panic
// recovery, so it runs after that has answered, and on an abort too: the
// record then says what the client saw of the response.
func (f *Front) account(x *exchange) {
	start, end := x.start, x.clock()
	if x.streaming {
		f.Metrics.StreamEnded()
	}
	var rec telemetry.Record
	f.fill(&rec, x, start, end)
	if f.Metrics != nil {
		f.Metrics.Observe(&rec)
	}
	if f.AccessLog && f.sampled(&rec) {
		f.logAccess(&rec)
	}
	if f.Journal != nil {
		// What the journal keeps must outlive the pooled exchange.
		rec.Faults = cloneOrNil(rec.Faults)
		rec.RequestRetry = pickHeaders(x.r.Header, retryRequestHeaders)
		if x.out.Started() { // headers never sent told the client nothing
			rec.ResponseRetry = pickHeaders(x.w.Header(), retryResponseHeaders)
		}
		if f.JournalBodies {
			rec.Body = cutBody(x.body.Bytes(), f.JournalMaxBody)
		}
		f.Journal.Add(&rec)
	}
}

// fill writes into rec what the exchange knows of the request. Its
// strings outlive the exchange (they are the request's, the rules' or
// freshly made); Faults is the exchange's own slice, for the journal to
// copy.
func (f *Front) fill(rec *telemetry.Record, x *exchange, start, end time.Time) {
	*rec = telemetry.Record{Time: start, RequestID: x.req.RequestID, Method: x.r.Method, Path: x.tgt.path,
		Host: x.mreq.Host, Provider: x.tgt.provider, Dialect: x.tgt.dialect, Scope: x.fx.Scope, Rule: x.head.rule[0], Action: x.action,
		Source: sourceName(x), Stream: x.out.Stream() != wire.NotStream, Faults: x.fx.Fired,
		Duration: end.Sub(start), Bytes: x.out.Bytes(), Events: x.out.Events(), Outcome: outcomeOf(x)}
	rec.Complete = rec.Outcome == telemetry.OutcomeComplete
	if x.out.Started() { // otherwise the client was sent no status: 0
		rec.Status = x.out.Status()
	}
	if f.Journal != nil || f.AccessLog {
		rec.Model = x.mreq.Model() // the one field that may cost an allocation
	}
	if fb := x.out.FirstByte(); !fb.IsZero() {
		rec.TTFB = fb.Sub(start)
	}
	if x.mreq.Header == nil { // refused before the dispatcher ran
		rec.Host = rules.HostOnly(x.r.Host)
		if sc := x.r.Header.Get(rules.ScopeHeader); len(sc) <= config.MaxScopeBytes {
			rec.Scope = sc // a longer one, refused for its length, is not kept
		}
	}
	if rec.Rule == "" {
		rec.Rule = "default"
	}
}

// sourceName says what answered the request.
func sourceName(x *exchange) string {
	switch {
	case x.cass.why != nil, x.refused:
		return "refused"
	case x.noSource:
		return "none"
	case x.fx.Source == sourceUndecided && len(x.fx.Fired) > 0:
		return "fault"
	case x.fx.Source == sourceUndecided:
		return "refused" // the body could not be read
	case x.fx.Source == faults.Forwarded:
		return "forwarded"
	case x.fx.Source == faults.Replayed:
		return "replayed"
	}
	return "simulated"
}

// outcomeOf says how the response ended, as the client saw it: what a
// fault (or the relay, or the drain) noted when it ended it, else
// complete when it ran to its end; a response that did neither was left
// by its client — its context ended, or writing to it failed.
func outcomeOf(x *exchange) string {
	switch x.fx.Ending {
	case faults.EndedCut:
		return telemetry.OutcomeCut
	case faults.EndedAborted:
		return telemetry.OutcomeAborted
	case faults.EndedReset:
		return telemetry.OutcomeReset
	case faults.EndedHung:
		return telemetry.OutcomeHung
	}
	if x.out.Ended() {
		return telemetry.OutcomeComplete
	}
	return telemetry.OutcomeClientGone
}

// retryHeader is a retry-related header: its canonical name, and the
// lower-case one the record keys it by.
type retryHeader struct{ canonical, key string }

// retryRequestHeaders are the headers SDKs send about their retries and
// timeouts; retryResponseHeaders those that tell a client when to retry.
var (
	retryRequestHeaders = []retryHeader{
		{"X-Stainless-Retry-Count", "x-stainless-retry-count"},
		{"X-Stainless-Timeout", "x-stainless-timeout"},
		{"X-Stainless-Read-Timeout", "x-stainless-read-timeout"},
		{"Retry-Count", "retry-count"},
		{"X-Retry-Count", "x-retry-count"},
	}
	retryResponseHeaders = []retryHeader{
		{"Retry-After", "retry-after"},
		{"Retry-After-Ms", "retry-after-ms"},
		{"X-Should-Retry", "x-should-retry"},
	}
)

// pickHeaders picks the from headers out of h, by lower-case name; nil
// when there are none. No other header is ever kept, and none of these
// carries a secret.
func pickHeaders(h http.Header, from []retryHeader) map[string]string {
	var m map[string]string
	for _, rh := range from {
		if v := h[rh.canonical]; len(v) > 0 {
			if m == nil {
				m = make(map[string]string, 2)
			}
			m[rh.key] = v[0]
		}
	}
	return m
}

// cutBody is the body as the journal keeps it: at most limit bytes (0:
// the default bound), cut before a character the bound splits.
func cutBody(b []byte, limit int) string {
	if limit <= 0 {
		limit = defaultJournalMaxBody
	}
	if len(b) > limit {
		i := limit
		for n := 1; n < utf8.UTFMax && i > 0 && !utf8.RuneStart(b[i]); n++ {
			i--
		}
		b = b[:i]
	}
	return string(b)
}

func cloneOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// sampled reports whether rec gets an access line: every error, and one
// in LogSample of the others.
func (f *Front) sampled(rec *telemetry.Record) bool {
	if f.LogSample <= 1 || rec.Status >= 400 || !rec.Complete {
		return true
	}
	return f.logSeq.Add(1)%uint64(f.LogSample) == 0
}

// logAccess writes rec's access line: what took the request and how it
// ended, never a header or a body, so no secret reaches it. Durations are
// in milliseconds, as their names say.
func (f *Front) logAccess(rec *telemetry.Record) {
	if f.AccessConsole {
		f.logAccessBrief(rec)
		return
	}
	f.Log.Info().Str("request_id", rec.RequestID).Str("provider", rec.Provider).Str("dialect", rec.Dialect).
		Str("method", rec.Method).Str("path", rec.Path).Str("model", rec.Model).Str("scope", rec.Scope).Str("rule", rec.Rule).
		Str("action", rec.Action).Str("source", rec.Source).Strs("faults", rec.Faults).Int("status", rec.Status).
		Float64("ttfb_ms", millis(rec.TTFB)).Float64("duration_ms", millis(rec.Duration)).Int64("bytes", rec.Bytes).
		Int("events", rec.Events).Str("outcome", rec.Outcome).Bool("complete", rec.Complete).Msg("request")
}

// logAccessBrief is the access line for a person at a terminal: the
// request, its status and its time as the message (accessSummary), then
// the rule and action that took it, the faults that fired and, when it
// did not run to its end, how it ended.
func (f *Front) logAccessBrief(rec *telemetry.Record) {
	ev := f.Log.Info().Str("rule", rec.Rule).Str("action", rec.Action)
	if len(rec.Faults) > 0 {
		ev = ev.Str("faults", strings.Join(rec.Faults, ","))
	}
	if rec.Outcome != telemetry.OutcomeComplete {
		ev = ev.Str("outcome", rec.Outcome)
	}
	ev.Msg(accessSummary(rec))
}

// accessSummary is "POST /v1/chat/completions 429 12.3ms": "-" in the
// status's place when none was sent.
func accessSummary(rec *telemetry.Record) string {
	status := "-"
	if rec.Status != 0 {
		status = strconv.Itoa(rec.Status)
	}
	return rec.Method + " " + rec.Path + " " + status + " " + strconv.FormatFloat(millis(rec.Duration), 'f', 1, 64) + "ms"
}

// millis is d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
