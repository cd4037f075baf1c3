package units

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"gopkg.in/yaml.v3"
)

// DurationDist is a distribution of durations, written
// {dist: constant, value: 20ms}, {dist: uniform, min: 10ms, max: 30ms},
// {dist: normal, mean: 20ms, stddev: 5ms}, {dist: lognormal, median:
// 250ms, p99: 1.2s} or {dist: pareto, min: 5ms, alpha: 1.5}; normal,
// lognormal and pareto also take an optional max that caps the draws.
// Draws are in nanoseconds, never negative.
type DurationDist struct{ Dist dist.Dist }

// CountDist is a distribution of counts, written like DurationDist with
// plain numbers: {dist: uniform, min: 20, max: 400}.
type CountDist struct{ Dist dist.Dist }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *DurationDist) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDist(n, true)
	d.Dist = v
	return err
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *CountDist) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDist(n, false)
	d.Dist = v
	return err
}

// distParams lists, per distribution, its required parameters; "max" is
// optional where allowed.
var distParams = map[string][]string{
	"constant":  {"value"},
	"uniform":   {"min", "max"},
	"normal":    {"mean", "stddev"},
	"lognormal": {"median", "p99"},
	"pareto":    {"min", "alpha"},
}

func distNames() string {
	names := make([]string, 0, len(distParams))
	for k := range distParams {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ParseDist reads a distribution from a mapping node: of durations (in
// nanoseconds) when durations is set, else of plain numbers.
func ParseDist(n *yaml.Node, durations bool) (dist.Dist, error) {
	if n.Kind != yaml.MappingNode {
		return nil, Errorf(n, "expected a distribution such as {dist: constant, value: 20ms}")
	}
	kind, kindNode := "", n
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "dist" {
			kind, kindNode = n.Content[i+1].Value, n.Content[i+1]
		}
	}
	params, ok := distParams[kind]
	if !ok {
		if kind == "" {
			return nil, Errorf(n, "distribution has no \"dist\" (one of %s)", distNames())
		}
		return nil, Errorf(kindNode, "unknown distribution %q (one of %s)", kind, distNames())
	}
	allowed := append(append([]string{"dist"}, params...), optionalMax(kind)...)
	vals := map[string]float64{}
	var problems []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Value == "dist":
			continue
		case !slices.Contains(allowed, k.Value):
			problems = append(problems, Messages(Errorf(k, "unknown field %q in a %s distribution (it takes %s)", k.Value, kind, strings.Join(allowed[1:], ", ")))...)
			continue
		}
		q, err := quantity(v, k.Value, durations)
		if err != nil {
			problems = append(problems, Messages(err)...)
			continue
		}
		vals[k.Value] = q
	}
	if len(problems) > 0 {
		return nil, &yaml.TypeError{Errors: problems}
	}
	for _, p := range params {
		if _, ok := vals[p]; !ok {
			return nil, Errorf(n, "%s distribution needs %q", kind, p)
		}
	}
	d, err := buildDist(kind, vals)
	if err != nil {
		return nil, Errorf(n, "%v", err)
	}
	return d, nil
}

func optionalMax(kind string) []string {
	switch kind {
	case "normal", "lognormal", "pareto":
		return []string{"max"}
	}
	return nil
}

func buildDist(kind string, v map[string]float64) (dist.Dist, error) {
	var d dist.Dist
	switch kind {
	case "constant":
		return dist.Constant{V: v["value"]}, nil
	case "uniform":
		if v["max"] < v["min"] {
			return nil, fmt.Errorf("uniform max is below min")
		}
		return dist.Uniform{Min: v["min"], Max: v["max"]}, nil
	case "normal":
		d = dist.Normal{Mu: v["mean"], Sigma: v["stddev"]}
	case "lognormal":
		ln, err := dist.NewLogNormal(v["median"], v["p99"])
		if err != nil {
			return nil, err
		}
		d = ln
	case "pareto":
		if v["alpha"] <= 0 || v["min"] <= 0 {
			return nil, fmt.Errorf("pareto min and alpha must be positive")
		}
		d = dist.Pareto{Min: v["min"], Alpha: v["alpha"]}
	}
	// Latency and counts are never negative; max caps a heavy tail.
	return dist.Clamp{D: d, Lo: 0, Hi: v["max"]}, nil
}

// quantity reads one parameter: a duration (in nanoseconds) or a number.
// A distribution's shape parameter (alpha) is always a plain number.
func quantity(n *yaml.Node, name string, durations bool) (float64, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, Errorf(n, "%s: expected a value", name)
	}
	if !durations || name == "alpha" {
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			if _, derr := time.ParseDuration(n.Value); derr == nil {
				return 0, Errorf(n, "%s: expected a number here, not the duration %q", name, n.Value)
			}
			return 0, Errorf(n, "%s: expected a number, got %q", name, n.Value)
		}
		if f < 0 {
			return 0, Errorf(n, "%s: must not be negative", name)
		}
		return f, nil
	}
	d, err := parseDuration(n)
	if err != nil {
		return 0, Errorf(n, "%s: %s", name, WithoutPosition(Messages(err)[0]))
	}
	return float64(d), nil
}
