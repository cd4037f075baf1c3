// Package rules is the rule engine: the live rule set, its matchers, the
// admin API's overlays and Explain. The configuration file is package
// config's; Build makes a Set from what config.Parse (or
// Config.WithRules) accepted — each rule's match compiled, its faults
// made from their specs and bound to a faults.Store that keeps their
// state across reloads. A Live holds the set in force, and the admin
// API's Overlays sit on top of it:
//
//	config.Config ─► Build ─► base Set ─► Live.Store
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
