// Package units holds the value types a config file writes in human form
// — durations ("250ms"), sizes ("64MiB") and distributions ({dist:
// lognormal, median: 250ms, p99: 1.2s}) — each decoding and checking
// itself from a YAML node, and the positioned errors they report with.
//
// It is a leaf (it imports nothing of this module's but internal/dist),
// so that both the config and the faults, whose options are written with
// these types, can use it: config imports faults for their registry.
package units
