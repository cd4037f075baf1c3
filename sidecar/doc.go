// Package sidecar is the serving process around the proxy: it puts a
// config in force, serves the proxy and the admin API on their
// listeners, changes the config and the binary while they serve, and
// drains when it is time to stop. cmd/llm-simulator reads the command
// line and the config, and calls Run; everything after is here.
//
//	config (loaded by the caller: file or embedded default, flags applied)
//	─► apply (runtime.go): build whole — upstreams (reusing the pools of
//	   those that stay), cassettes (rescanned), simulator, rule set,
//	   intercept hosts (the CA in force must cover them) — then swap each
//	   into the front, then retire: idle upstream connections, the state
//	   of faults that no longer exist. A config that fails to build
//	   changes nothing.
//	─► serve (run.go, serve.go): the proxy's and the admin API's
//	   listeners come from the Lifecycle (inherited from a predecessor
//	   across an upgrade); each server tracks its connections for the
//	   drain; the process says it is ready, then logs "ready"
//	─► reload (reload.go): SIGHUP, the watched file's content changing,
//	   or the admin API → Options.Load → apply; a bad config is logged
//	   with file:line:col and the one in force keeps serving. The admin
//	   API's PUT of the rules applies the config in force with new rules.
//	─► upgrade (upgrade.go): SIGUSR2 or the admin API → Options.Load must
//	   accept the config the successor would load → Lifecycle.Upgrade
//	   starts it on the same sockets and waits until it is ready; a
//	   refusal "for now" is admin.ErrUpgradeBusy
//	─► drain (drain.go): ctx ended (SIGTERM) or a successor took over →
//	   the listeners close, every response closes its connection, idle
//	   connections get a grace, each server shuts down once no HTTP/1
//	   connection can bring it a request, the interception server last;
//	   at drain_timeout what still runs is ended in the provider's words
//
// The runtime (runtime.go, control.go) is the admin API's admin.Runtime:
// the one place that holds the config in force and every store, so that
// a reload, a reset or an explain sees them all at once. Reloads are
// serialized by its mutex; the live rule set is an atomic pointer the
// front reads without a lock.
//
// The OS is behind a small interface, Lifecycle, as tableflip does it:
// NewLifecycle is tableflip's upgrader where the platform has one, and a
// nil Options.Lifecycle means plain listeners that never hand over — for
// tests, which run Run in-process, since a process may hold one
// upgrader. ExampleRun shows a whole process: signals, NewLifecycle, the
// config loaded, Run.
//
// Imports run one way: this package imports proxy, admin, rules, config,
// cassette, faults, simulate and internal/telemetry; only cmd imports it.
package sidecar
