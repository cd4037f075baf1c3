package admin

import (
	"net/http"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/rules"
)

// RuleView is one rule as GET /api/v1/rules shows it, and as a toggle
// answers.
type RuleView struct {
	Name string `json:"name"`
	// Enabled is whether the rule takes requests now; Toggled says a
	// runtime toggle decided it, overriding the config.
	Enabled  bool              `json:"enabled"`
	Toggled  bool              `json:"toggled,omitempty"`
	Action   string            `json:"action"`
	Match    config.MatchSpec  `json:"match"`
	Faults   []string          `json:"faults"`
	Matched  uint64            `json:"matched"`
	Injected map[string]uint64 `json:"faults_fired"`
}

// RulesView is the live rule set, where it came from and when: the
// answer to GET and PUT /api/v1/rules and to a reload.
type RulesView struct {
	Origin        string          `json:"origin"`
	Loaded        time.Time       `json:"loaded"`
	DefaultAction string          `json:"default_action"`
	Rules         []RuleView      `json:"rules"`
	Toggles       map[string]bool `json:"toggles"`
}

func (s *Server) registerRules(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/rules", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.rulesView())
	})
	mux.HandleFunc(routePutRules, func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r, maxBody)
		if !ok {
			return
		}
		if err := s.Runtime.PutRules(body); err != nil {
			writeRefusal(w, "the rules were refused", err)
			return
		}
		s.Log.Info().Int("rules", len(s.Rules.Load().Rules)).Msg("rules replaced through the admin API")
		writeJSON(w, http.StatusOK, s.rulesView())
	})
	mux.HandleFunc("POST /api/v1/rules/{name}/{verb}", s.toggle)
}

// toggle turns a rule on or off at runtime, over what the config says.
func (s *Server) toggle(w http.ResponseWriter, r *http.Request) {
	name, verb := r.PathValue("name"), r.PathValue("verb")
	if verb != "enable" && verb != "disable" {
		writeError(w, http.StatusNotFound, "no such admin endpoint: rules/%s/%s (enable or disable)", name, verb)
		return
	}
	if s.Overlays == nil {
		off(w, "runtime toggling")
		return
	}
	if s.rule(name) == nil {
		writeError(w, http.StatusNotFound, "no rule named %q in the rules in force", name)
		return
	}
	if err := s.Overlays.SetEnabled(name, verb == "enable"); err != nil {
		writeError(w, http.StatusInternalServerError, "the toggle took effect but could not be saved: %v", err)
		return
	}
	s.Log.Info().Str("rule", name).Str("to", verb).Msg("rule toggled through the admin API")
	writeJSON(w, http.StatusOK, s.ruleView(s.rule(name)))
}

func (s *Server) rule(name string) *rules.Rule {
	for _, r := range s.Rules.Load().Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func (s *Server) rulesView() RulesView {
	set := s.Rules.Load()
	v := RulesView{Origin: set.Origin, Loaded: set.Loaded, DefaultAction: set.DefaultAction, Rules: []RuleView{}, Toggles: map[string]bool{}}
	if s.Overlays != nil {
		v.Toggles = s.Overlays.Toggles()
	}
	for _, r := range set.Rules {
		v.Rules = append(v.Rules, s.ruleView(r))
	}
	return v
}

func (s *Server) ruleView(r *rules.Rule) RuleView {
	v := RuleView{Name: r.Name, Enabled: r.Enabled, Action: r.Action, Faults: []string{}, Injected: map[string]uint64{}}
	if s.Overlays != nil {
		if on, ok := s.Overlays.Toggles()[r.Name]; ok {
			v.Enabled, v.Toggled = on, true
		}
	}
	for _, in := range r.Faults {
		v.Faults = append(v.Faults, in.Fault.Kind())
	}
	if c := r.Counters(); c != nil {
		v.Matched, v.Injected = c.Matched(), c.Faults()
	}
	if spec := s.ruleSpec(r.Name); spec != nil {
		v.Match = spec.Match
	}
	return v
}

// ruleSpec is a rule as the config in force wrote it.
func (s *Server) ruleSpec(name string) *config.RuleSpec {
	cfg := s.Runtime.Config()
	for i := range cfg.Rules {
		if cfg.Rules[i].Name == name {
			return &cfg.Rules[i]
		}
	}
	return nil
}
