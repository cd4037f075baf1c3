package telemetry

// backpressureKind is the kind a backpressure fault fires as.
const backpressureKind = "backpressure"

// Observe counts one finished request: llmsim_requests_total by its
// status (0 when none was sent), and llmsim_requests_incomplete_total by
// its outcome when the response did not run to its end. It runs on every request: a label
// tuple seen before costs map lookups and atomic adds, no allocation and
// no lock.
//
// llmsim_inter_token_latency_seconds gets one observation per stream, its
// mean gap (Duration-TTFB)/(Events-1), rather than one per gap, which
// would cost a histogram observation per token.
func (m *Metrics) Observe(r *Record) {
	m.byRequest.get(requestKey{r.Provider, r.Dialect, r.Rule, r.Action, r.Source, r.Status}).Inc()
	p := m.byProvider.get(r.Provider)
	p.duration.Observe(r.Duration.Seconds())
	if r.Stream && r.TTFB > 0 {
		p.ttft.Observe(r.TTFB.Seconds())
		if r.Events > 1 && r.Duration > r.TTFB {
			p.itl.Observe((r.Duration - r.TTFB).Seconds() / float64(r.Events-1))
		}
	}
	rejected := false
	for _, kind := range r.Faults {
		m.byFault.get(faultKey{r.Rule, kind}).Inc()
		rejected = rejected || kind == backpressureKind
	}
	if rejected && r.Status >= 400 {
		m.byRule.get(r.Rule).Inc()
	}
	if r.Outcome != "" && r.Outcome != OutcomeComplete {
		m.byOutcome.get(outcomeKey{r.Provider, r.Rule, r.Outcome}).Inc()
	}
}
