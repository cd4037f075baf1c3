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
// The rule engine is built from those types. A Config's RuleSet is a Set:
// each rule's matcher compiled, its faults bound to a faults.Store that
// keeps their state across reloads. A Live holds the set in force, and
// the admin API's Overlays sit on top of it:
//
//	base Set (file, or WithRules from the API) ─► Live.Store
//	   ─► set in force: the matchers copied with the toggles applied
//	      (rebuilt when the base or a toggle changes; Match costs the same)
//	request ─► Set.Match (from 16 rules on, through an index that
//	      narrows the rules to try by provider, path, scope, model,
//	      headers and exact body values) ─► the rule's faults ─► Overlays.FaultsFor: the
//	      temporary faults that hold for it, whichever rule took it
//
// Toggles and temporary faults outlive any set, and a process through the
// state file. Per-rule counters belong to the rule's name and move to the
// next set at each Store. Set.Explain answers as Match would, with the
// reason every earlier rule turned the request away, and counts nothing.
package rules
