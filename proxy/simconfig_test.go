package proxy

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// Overrides start from the section's settings, which start from the
// built-in defaults.
func TestSimulatorConfigLayersOverrides(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(`version: 1
simulate:
  ttft: {dist: constant, value: 50ms}
  output_tokens: {dist: constant, value: 7}
  text: fixed
  fixed_text: "all good"
  tool_call_probability: 1
  prefill_per_token: 1ms
  allowed_models: [gpt-4o, "claude-*"]
  models:
    gpt-4o: {ttft: {dist: constant, value: 2s}, text: echo}
`), config.Options{TemplateData: simulate.TemplateData{}})
	if err != nil {
		t.Fatal(err)
	}
	sc := SimulatorConfig(&cfg.Simulate)
	r := rand.New(rand.NewPCG(1, 1))
	base, over := sc.Default, sc.Models[0].Model
	if got := time.Duration(base.TTFT.Sample(r)); got != 50*time.Millisecond {
		t.Errorf("base ttft %v", got)
	}
	if base.Text.Mode != simulate.Fixed || base.Text.Fixed != "all good" || base.ToolCallProbability != 1 || base.PrefillPerToken != time.Millisecond {
		t.Errorf("base model %+v", base)
	}
	if base.ITL == nil {
		t.Error("the base model lost the default ITL")
	}
	if got := time.Duration(over.TTFT.Sample(r)); got != 2*time.Second || over.Text.Mode != simulate.Echo {
		t.Errorf("override ttft %v text %v", got, over.Text.Mode)
	}
	if got := over.OutputTokens.Sample(r); got != 7 || over.ToolCallProbability != 1 {
		t.Errorf("override did not inherit the section: tokens %v, p %v", got, over.ToolCallProbability)
	}
	if sc.Models[0].Pattern != "gpt-4o" || len(sc.AllowedModels) != 2 {
		t.Errorf("patterns %+v allowed %v", sc.Models, sc.AllowedModels)
	}
}
