// Package admin serves the admin listener: the JSON API under /api/v1/
// that drives chaos drills at runtime (rule toggles, temporary faults,
// reloads, the request journal, the cassettes, explain), Prometheus
// metrics, the health probes and the profiler. It runs on its own
// listener, never the proxy's port, and asks for a bearer token on every
// endpoint but /healthz whenever one is configured — which it must be
// when the listener is not on loopback.
//
// The data plane never imports this package: it records into
// internal/telemetry, which the handlers here read.
package admin
