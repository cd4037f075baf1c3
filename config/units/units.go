package units

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as Go writes them: "250ms", "1.5s",
// "2m". A bare 0 is accepted; any other bare number is refused, because
// its unit would be a guess.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

func parseDuration(n *yaml.Node) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, Errorf(n, "expected a duration such as \"250ms\"")
	}
	if n.Value == "0" {
		return 0, nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		if _, numErr := strconv.ParseFloat(n.Value, 64); numErr == nil {
			return 0, Errorf(n, "duration %q has no unit: write e.g. %sms or %ss", n.Value, n.Value, n.Value)
		}
		return 0, Errorf(n, "invalid duration %q: expected e.g. \"250ms\", \"1.5s\", \"2m\"", n.Value)
	}
	if v < 0 {
		return 0, Errorf(n, "duration %q is negative", n.Value)
	}
	return v, nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalYAML writes the duration back in its human form.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Size is a byte count written with an optional binary or decimal unit:
// "64MiB", "512KiB", "1GB", "1500".
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return Errorf(n, "expected a size such as \"64MiB\"")
	}
	text := strings.TrimSpace(n.Value)
	mult := int64(1)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(text, u.suffix); ok {
			text, mult = strings.TrimSpace(num), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || v < 0 {
		return Errorf(n, "invalid size %q: expected e.g. \"64MiB\", \"512KiB\", \"1GB\"", n.Value)
	}
	*s = Size(v * float64(mult))
	return nil
}

// MarshalYAML writes the size back in bytes.
func (s Size) MarshalYAML() (any, error) { return fmt.Sprint(int64(s)), nil }
