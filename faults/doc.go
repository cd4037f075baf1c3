// Package faults holds every fault a rule can inject, each a small type in
// a file of its own behind one interface, in the manner of toxiproxy's
// toxics.
//
// A fault acts at one or more points of a response's path, and says so by
// the interfaces it implements:
//
//	front ─► Admitter.Admit ─► source ─► Stage.Wrap(…) ─► wire.Writer
//	         (delay, answer,             (cut, corrupt, throttle the
//	          refuse, hold)               events on their way out)
//
// Admitters run before the source, in rule order: they may wait (latency,
// a backpressure queue), answer in place of the source (error, raw, a rate
// limit's 429), or drop the connection (abort, hang). Stages wrap the sink
// the source writes to, so they act alike on simulated, forwarded and
// replayed responses: stream (cut, reset, error, corrupt, stall), body
// (cut short), throttle, and content, which edits an answer's JSON into
// the wrong-but-well-formed answers models give. A fault may also leave
// timing overrides on the Exchange for the simulator (ttft, itl).
//
// A fault's type is also its configuration, as a toxic's struct is in
// toxiproxy: its exported fields, with their yaml tags and doc comments,
// are the fault's options in a rule, and the registry (registry.go) makes
// it known to the config by name — one factory a kind, no reflection.
// The config (package config) looks a rule's fault up there, decodes the
// options into a new value from the factory, checks them with the fault's
// Validate, and documents them from its comments; this package knows
// nothing of the config but the value types of config/units (durations,
// sizes, distributions). Adding a fault is a file and a line in
// registry.go (CREATING_FAULTS.md).
//
// Whether a fault fires for a request is decided by its Gate —
// probability (rolled from the request's own seeded random stream), after,
// times, every — counting per rule, fault and scope, so parallel tests
// with their own x-llmsim-scope never share counters. Counters and limiter
// windows live in a Store that outlives rule-set reloads.
package faults
