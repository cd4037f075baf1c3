package proxy

import (
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// SimulatorConfig turns the config file's simulate section into the
// simulator's configuration: each model override starts from the section's
// settings, which start from simulate.DefaultModel.
func SimulatorConfig(s *config.SimulateConfig) simulate.Config {
	base := modelFrom(simulate.DefaultModel(), &s.ModelSpec)
	cfg := simulate.Config{Default: base, AllowedModels: s.AllowedModels, MaxResponseBytes: int64(s.MaxResponseBytes)}
	for _, o := range s.Models {
		cfg.Models = append(cfg.Models, simulate.ModelOverride{Pattern: o.Pattern, Model: modelFrom(base, &o.Spec)})
	}
	return cfg
}

func modelFrom(m simulate.Model, s *config.ModelSpec) simulate.Model {
	if s.TTFT != nil {
		m.TTFT = s.TTFT.Dist
	}
	if s.ITL != nil {
		m.ITL = s.ITL.Dist
	}
	if s.PrefillPerToken != nil {
		m.PrefillPerToken = time.Duration(*s.PrefillPerToken)
	}
	if s.OutputTokens != nil {
		m.OutputTokens = s.OutputTokens.Dist
	}
	if s.ToolCallProbability != nil {
		m.ToolCallProbability = *s.ToolCallProbability
	}
	if s.FixedText != nil {
		m.Text.Fixed = *s.FixedText
	}
	if s.Template != nil {
		m.Text.Template = s.Template.Template
	}
	if s.Text != nil {
		m.Text.Mode = textModes[s.Text.Mode]
	}
	if s.MaxConcurrency != nil {
		m.MaxConcurrency = *s.MaxConcurrency
	}
	if s.Queue != nil {
		m.Queue = *s.Queue
	}
	if s.QueueTimeout != nil {
		m.QueueTimeout = time.Duration(*s.QueueTimeout)
	}
	if s.MaxOutputTokens != nil {
		m.MaxOutputTokens = *s.MaxOutputTokens
	}
	return m
}

var textModes = map[string]simulate.TextMode{
	"lorem": simulate.Lorem, "echo": simulate.Echo, "fixed": simulate.Fixed, "template": simulate.Template,
}
