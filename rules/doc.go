// Package rules owns the YAML configuration: its schema, strict decoding,
// ${ENV} expansion and validation with file:line:col positions.
//
// Loading is three passes over one parsed yaml.Node tree:
//
//	expand ${ENV} in each scalar ─► check every key and scalar against the
//	schema (unknown keys are errors, everywhere) ─► decode, where custom
//	types (distributions, durations, sizes, …) validate their own values
//
// Every problem found is reported, not just the first, each with the
// position of the node at fault, so a user fixes a file in one round.
// A file with any error is refused as a whole: the caller keeps serving
// with what it had.
//
// Later the package also holds the rule engine (matchers, the live rule
// set and its overlays); the schema types here are what it is built from.
package rules
