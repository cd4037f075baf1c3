// Package config owns the configuration file: its schema (Config and its
// sections, a rule's RuleSpec, a fault's FaultSpec), strict decoding,
// ${ENV} expansion, the defaults, and the checks, each problem reported
// with its file:line:col. The rule engine (package rules) and the data
// plane (package proxy) are built from what it returns; neither parses
// YAML.
//
// Loading is three passes over one parsed yaml.Node tree, then the
// defaults and the checks:
//
//	expand ${ENV} in each scalar ─► check every key and scalar against the
//	schema (unknown keys are errors, everywhere) ─► decode, where custom
//	types (distributions, durations, sizes, …) check their own values
//	─► applyDefaults (defaults.go: the one place defaults live)
//	─► validate: ranges, cross-field rules, and every rule's match and
//	   faults checked once, so that a rule set built later cannot fail
//
// Every problem found is reported, not just the first, each with the
// position of the node at fault, so a user fixes a file in one round. A
// file with any error is refused as a whole: the caller keeps serving
// with what it had. Problems that do not stop a load are Warnings.
//
// The admin API's bodies go through the same code: Config.WithRules for
// a new rule list, ParseTempFault for a temporary fault.
//
// Imports run one way; an arrow reads "imports", and nothing imports
// cmd:
//
//	cmd/llm-simulator ─► sidecar, admin, config, …
//	sidecar           ─► admin, proxy, rules, config, faults, cassette, …
//	admin             ─► rules, config, cassette, internal/telemetry
//	proxy             ─► rules, config, faults, simulate, cassette, wire, …
//	rules             ─► config, faults, internal/glob, internal/canon
//	config            ─► faults (its registry), config/units,
//	                     internal/glob, internal/egress
//	faults            ─► config/units, wire, internal/clock, internal/dist
//	config/units      ─► internal/dist
//	wire, internal/*  ─► nothing of this module's
//
// config imports neither rules, proxy, admin nor cmd; faults imports not
// config but its leaf of value types, config/units.
package config
