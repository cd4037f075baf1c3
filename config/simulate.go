package config

import (
	"fmt"
	"io"
	"path"
	"slices"
	"text/template"

	"github.com/llm-simulator/llm-simulator/config/units"
	"gopkg.in/yaml.v3"
)

// SimulateConfig is the simulation model: the settings of ModelSpec for
// every model, per-model overrides, and an optional allow-list.
type SimulateConfig struct {
	ModelSpec `yaml:",inline"`
	// AllowedModels, when set, lists the model names (or globs) served;
	// others get the provider's 404 model-not-found. Default: any name.
	AllowedModels []string `yaml:"allowed_models"`
	// Models overrides settings per model name, given exactly or as a glob
	// (path.Match syntax). An exact name wins; otherwise the first matching
	// glob, in file order. Not an allow-list.
	Models ModelOverrides `yaml:"models"`
	// MaxResponseBytes bounds every simulated answer, streams included,
	// so that a small request cannot make a huge answer or hold the
	// memory to build one. A request whose own numbers ask for more —
	// embedding inputs times dimensions, n times max_tokens, an echo —
	// gets the provider's 400 for an over-long request; an answer that
	// would grow past it ends as at max_tokens (finish reason length).
	// Forwarded and replayed answers are not bounded by it. Default
	// 8MiB; at least 16KiB.
	MaxResponseBytes units.Size `yaml:"max_response_bytes"`
}

// minMaxResponseBytes is the least simulate.max_response_bytes: below
// it, an answer's own envelope and error would not fit.
const minMaxResponseBytes = 16 << 10

// ModelSpec is the simulation settings of one model. Unset fields take the
// value from the level above (the simulate section, then the built-in
// defaults named below).
type ModelSpec struct {
	// TTFT is the time to first token. Default {dist: lognormal, median:
	// 300ms, p99: 1.2s}.
	TTFT *units.DurationDist `yaml:"ttft"`
	// ITL is the time between tokens. Default {dist: normal, mean: 20ms,
	// stddev: 6ms}.
	ITL *units.DurationDist `yaml:"itl"`
	// PrefillPerToken is added to the time to first token per prompt
	// token. Default 0.
	PrefillPerToken *units.Duration `yaml:"prefill_per_token"`
	// OutputTokens is the length of a lorem answer. Default {dist:
	// uniform, min: 20, max: 400}. max_tokens bounds it.
	OutputTokens *units.CountDist `yaml:"output_tokens"`
	// Text is the generator: lorem, echo (the last user message), fixed
	// (FixedText) or template (Template). Default lorem.
	Text *TextMode `yaml:"text"`
	// FixedText is the answer when Text is fixed.
	FixedText *string `yaml:"fixed_text"`
	// Template is a Go text/template executed per request when Text is
	// template; see docs/simulation.md for its fields.
	Template *TemplateText `yaml:"template"`
	// ToolCallProbability is the chance that a request offering tools with
	// tool_choice auto is answered with a tool call. Default 0.5.
	ToolCallProbability *float64 `yaml:"tool_call_probability"`
	// MaxConcurrency is how many requests for the model are served at
	// once, like a serving engine's max sequences. Default 0: no limit.
	MaxConcurrency *int `yaml:"max_concurrency"`
	// Queue is how many more may wait for a turn; the wait counts toward
	// time to first token. A full queue, or a wait past QueueTimeout, gets
	// the provider's overload (OpenAI 503, Anthropic 529). Default 0.
	Queue *int `yaml:"queue"`
	// QueueTimeout bounds a wait. Default 30s.
	QueueTimeout *units.Duration `yaml:"queue_timeout"`
	// MaxOutputTokens is the most tokens one answer may ask for
	// (max_tokens, max_completion_tokens, max_output_tokens); more gets
	// the provider's 400, and Gemini's maxOutputTokens is capped at it as
	// the API does. Default: the model's documented limit for the models
	// the simulator knows (gpt-4o 16384, gpt-4.1 32768, gpt-5 128000,
	// claude-sonnet-4-5 64000, claude-opus-4-1 32000, gemini-2.5-*
	// 65536, …); for any other name 16777216 (2^24), above the largest
	// context window a served model has, so that an OpenAI-compatible
	// server's real traffic is never refused while 1e9 is.
	MaxOutputTokens *int `yaml:"max_output_tokens"`
}

// TextMode is a text generator's name.
type TextMode struct {
	Mode      string
	line, col int
}

var textModes = []string{"lorem", "echo", "fixed", "template"}

// UnmarshalYAML implements yaml.Unmarshaler.
func (t *TextMode) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || !slices.Contains(textModes, n.Value) {
		return units.Errorf(n, "text must be one of lorem, echo, fixed, template; got %s", describe(n))
	}
	*t = TextMode{Mode: n.Value, line: n.Line, col: n.Column}
	return nil
}

// TemplateText is a parsed text/template.
type TemplateText struct {
	Source    string
	Template  *template.Template
	line, col int
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (t *TemplateText) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return units.Errorf(n, "template: expected a string")
	}
	tpl, err := template.New("answer").Option("missingkey=error").Parse(n.Value)
	if err != nil {
		return units.Errorf(n, "template: %v", err)
	}
	*t = TemplateText{Source: n.Value, Template: tpl, line: n.Line, col: n.Column}
	return nil
}

// MarshalYAML writes the template's source.
func (t TemplateText) MarshalYAML() (any, error) { return t.Source, nil }

// MarshalYAML writes the mode's name.
func (t TextMode) MarshalYAML() (any, error) { return t.Mode, nil }

// ModelOverride is one entry of simulate.models.
type ModelOverride struct {
	Pattern string
	Spec    ModelSpec
}

// ModelOverrides keeps simulate.models in file order, which decides
// between globs.
type ModelOverrides []ModelOverride

// UnmarshalYAML implements yaml.Unmarshaler.
func (m *ModelOverrides) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return units.Errorf(n, "simulate.models: expected a mapping of model name to settings")
	}
	var problems []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, err := path.Match(k.Value, ""); err != nil {
			problems = append(problems, units.Messages(units.Errorf(k, "model pattern %q is not a valid glob: %v", k.Value, err))...)
			continue
		}
		e := &errs{}
		checkSchema(v, modelSpecType, "simulate.models."+k.Value, e)
		for _, p := range e.list {
			problems = append(problems, fmt.Sprintf("@%d:%d: %s", p.Line, p.Col, p.Msg))
		}
		var spec ModelSpec
		if err := v.Decode(&spec); err != nil {
			problems = append(problems, units.Messages(err)...)
		}
		*m = append(*m, ModelOverride{Pattern: k.Value, Spec: spec})
	}
	if len(problems) > 0 {
		return &yaml.TypeError{Errors: problems}
	}
	return nil
}

// MarshalYAML writes the overrides back as a mapping, in order.
func (m ModelOverrides) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, o := range m {
		v := &yaml.Node{}
		if err := v.Encode(o.Spec); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: o.Pattern}, v)
	}
	return n, nil
}

// validate checks what spans fields: a text mode and the setting it
// needs, a probability's range, and that templates run on sample data.
func (s *ModelSpec) validate(e *errs, sample any, where string, n *yaml.Node) {
	if p := s.ToolCallProbability; p != nil && (*p < 0 || *p > 1) {
		e.at(n, "%stool_call_probability %v is outside 0..1", where, *p)
	}
	if m := s.MaxOutputTokens; m != nil && *m < 1 {
		at := lookupKey(n, "max_output_tokens")
		if at == nil {
			at = n
		}
		e.at(at, "%smax_output_tokens must be 1 or more", where)
	}
	if s.Text != nil {
		at := &yaml.Node{Line: s.Text.line, Column: s.Text.col}
		switch {
		case s.Text.Mode == "fixed" && s.FixedText == nil:
			e.at(at, "%stext is fixed but fixed_text is not set", where)
		case s.Text.Mode == "template" && s.Template == nil:
			e.at(at, "%stext is template but template is not set", where)
		}
	}
	if s.Template != nil && sample != nil {
		if err := s.Template.Template.Execute(io.Discard, sample); err != nil {
			e.at(&yaml.Node{Line: s.Template.line, Column: s.Template.col}, "template: %v", err)
		}
	}
}
