// Package admin serves the admin listener: the JSON API under /api/v1/
// that drives chaos drills at runtime (rule toggles, temporary faults,
// reloads, the request journal, the cassettes, explain), Prometheus
// metrics, the health probes and the profiler. It runs on its own
// listener, never the proxy's port, and asks for a bearer token on every
// endpoint but /healthz whenever one is configured — which it must be
// when the listener is not on loopback.
//
// Loopback is not a wall against a browser on the same machine, so every
// request first passes a guard (guard.go) that refuses what a web page
// could send: a Host that is a DNS name not listed (DNS rebinding, 421),
// an Origin other than the listener's own or a listed one (403), and a
// state-changing call without a JSON body type (415) — the types a form
// or a no-cors fetch can send without a CORS preflight are all refused,
// and this API answers no preflight. Tools that send no Origin (curl,
// ctl, kubelet probes, Prometheus, all calling by IP or localhost) pass.
//
// Client (client*.go) is the API's client, which
// `llm-simulator ctl` is built on: one method per endpoint, answering
// with the views the handlers encode (RulesView, FaultView, CacheView,
// RequestsView, proxy.Explanation, …), so that the API's JSON is
// declared once, here, and a refusal is an *APIError with the status and
// the API's message.
//
// The data plane never imports this package: it records into
// internal/telemetry, which the handlers here read.
package admin
