package main

import (
	"encoding/json"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
)

// statusSummary is what status --json prints: ctl's own digest of four
// answers, which no endpoint serves, in the shape it has always had, for
// the scripts that read it. It picks fields of admin's views and
// declares none of the API's JSON: that is admin's.
type statusSummary struct {
	Cache struct {
		Dir   string `json:"dir"`
		Stats struct {
			Recordings int    `json:"recordings"`
			Hits       uint64 `json:"hits"`
			Misses     uint64 `json:"misses"`
		} `json:"stats"`
	} `json:"cache"`
	Faults []summaryFault `json:"faults"`
	Ready  bool           `json:"ready"`
	Rules  struct {
		Origin        string        `json:"origin"`
		Loaded        time.Time     `json:"loaded"`
		DefaultAction string        `json:"default_action"`
		Rules         []summaryRule `json:"rules"`
	} `json:"rules"`
}

// summaryRule is a rule in the summary: its counters, not its match.
type summaryRule struct {
	Name     string            `json:"name"`
	Enabled  bool              `json:"enabled"`
	Toggled  bool              `json:"toggled"`
	Action   string            `json:"action"`
	Faults   []string          `json:"faults"`
	Matched  uint64            `json:"matched"`
	Injected map[string]uint64 `json:"faults_fired"`
}

// summaryFault is a temporary fault in the summary, its match with sorted
// keys and its faults one per member.
type summaryFault struct {
	ID      string            `json:"id"`
	Scope   string            `json:"scope"`
	Left    string            `json:"ttl_left"`
	Match   json.RawMessage   `json:"match"`
	Faults  []json.RawMessage `json:"faults"`
	Expires string            `json:"expires"`
}

// newStatusSummary digests the answers; faults is nil when they could
// not be had.
func newStatusSummary(ready bool, rules *admin.RulesView, faults []admin.FaultView, cache *admin.CacheView) *statusSummary {
	s := &statusSummary{Ready: ready}
	s.Cache.Dir = cache.Dir
	s.Cache.Stats.Recordings, s.Cache.Stats.Hits, s.Cache.Stats.Misses = cache.Stats.Recordings, cache.Stats.Hits, cache.Stats.Misses
	s.Rules.Origin, s.Rules.Loaded, s.Rules.DefaultAction = rules.Origin, rules.Loaded, rules.DefaultAction
	s.Rules.Rules = make([]summaryRule, 0, len(rules.Rules))
	for _, r := range rules.Rules {
		s.Rules.Rules = append(s.Rules.Rules, summaryRule{Name: r.Name, Enabled: r.Enabled, Toggled: r.Toggled,
			Action: r.Action, Faults: r.Faults, Matched: r.Matched, Injected: r.Injected})
	}
	if faults != nil {
		s.Faults = make([]summaryFault, 0, len(faults))
	}
	for _, f := range faults {
		var members []json.RawMessage
		_ = json.Unmarshal(f.Faults, &members)
		s.Faults = append(s.Faults, summaryFault{ID: f.ID, Scope: f.Scope, Left: f.Left.String(), Match: sortedJSON(f.Match),
			Faults: members, Expires: f.Expires.Format(time.RFC3339Nano)})
	}
	return s
}
