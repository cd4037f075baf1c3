// Package admin serves the admin listener: for now the health and
// readiness probes; the admin API, metrics and the ctl client join it
// later. It runs on its own listener, never the proxy's port.
package admin
