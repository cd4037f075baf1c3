// Package telemetry is where the data plane leaves its account of each
// request and the admin API reads it: a Prometheus registry of the
// proxy's metrics, and a bounded journal of recent requests.
//
//	proxy: end of ServeHTTP ─► Record ─┬─► Metrics.Observe ─► counters (by status, by outcome), histograms
//	                                   └─► Journal.Add ─────► ring of the last N
//	admin: /metrics ◄── Metrics.Handler (a scrape; the cache, queue and
//	                    rate-limit funcs run here, not per request)
//	admin: journal  ◄── Journal.Query (oldest first; by scope, rule, time)
//
// Both ends of the hot path cost little: Observe resolves each label
// tuple once and keeps the resolved counter and histograms, so a repeated
// request allocates nothing; Journal.Add takes one lock and copies the
// Record into a slot allocated up front.
//
// A Record says what the client saw: a response never sent has status 0,
// and its Outcome says how a response that did not run to its end ended
// (docs/journal.md).
//
// A Record never carries a secret: the request's headers are not kept,
// apart from the retry-related ones SDKs send and the retry advice the
// answer gave, and a body is kept only when the journal is told to
// (request bodies carry no credentials).
//
// The package imports nothing of this module's, so the admin API can read
// what the proxy writes without importing the proxy.
package telemetry
