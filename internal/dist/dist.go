package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Dist draws one value per call from r. Implementations are immutable and
// safe for concurrent use; all state lives in r.
type Dist interface {
	Sample(r *rand.Rand) float64
	// Mean is the expected value, used for documentation and capacity
	// estimates, never for drawing.
	Mean() float64
}

// Constant always returns V.
type Constant struct{ V float64 }

// Sample implements Dist.
func (c Constant) Sample(*rand.Rand) float64 { return c.V }

// Mean implements Dist.
func (c Constant) Mean() float64 { return c.V }

// Uniform draws from [Min, Max].
type Uniform struct{ Min, Max float64 }

// Sample implements Dist.
func (u Uniform) Sample(r *rand.Rand) float64 { return u.Min + r.Float64()*(u.Max-u.Min) }

// Mean implements Dist.
func (u Uniform) Mean() float64 { return (u.Min + u.Max) / 2 }

// Normal draws from a normal distribution; negative draws are the caller's
// to clamp (see Clamp), because a count and a duration clamp alike at zero.
type Normal struct{ Mu, Sigma float64 }

// Sample implements Dist.
func (n Normal) Sample(r *rand.Rand) float64 { return n.Mu + n.Sigma*r.NormFloat64() }

// Mean implements Dist.
func (n Normal) Mean() float64 { return n.Mu }

// z99 is the standard normal quantile at 0.99: lognormal specs are written
// as a median and a p99 because that is how latency is usually reported.
const z99 = 2.3263478740408408

// LogNormal is exp(N(Mu, Sigma)). Build it with NewLogNormal from a median
// and a 99th percentile.
type LogNormal struct{ Mu, Sigma float64 }

// NewLogNormal returns the lognormal whose median and 99th percentile are
// the given values. Both must be positive and p99 >= median.
func NewLogNormal(median, p99 float64) (LogNormal, error) {
	if median <= 0 || p99 <= 0 {
		return LogNormal{}, fmt.Errorf("lognormal: median and p99 must be positive")
	}
	if p99 < median {
		return LogNormal{}, fmt.Errorf("lognormal: p99 (%g) is below the median (%g)", p99, median)
	}
	mu := math.Log(median)
	return LogNormal{Mu: mu, Sigma: (math.Log(p99) - mu) / z99}, nil
}

// Sample implements Dist.
func (l LogNormal) Sample(r *rand.Rand) float64 {
	return math.Exp(l.Mu + l.Sigma*r.NormFloat64())
}

// Mean implements Dist.
func (l LogNormal) Mean() float64 { return math.Exp(l.Mu + l.Sigma*l.Sigma/2) }

// Pareto is the heavy-tailed distribution with scale Min (its smallest
// value) and shape Alpha: the long tail of real provider latency.
type Pareto struct{ Min, Alpha float64 }

// Sample implements Dist by inverse transform; 1-Float64() lies in (0, 1],
// so the draw is finite.
func (p Pareto) Sample(r *rand.Rand) float64 {
	return p.Min / math.Pow(1-r.Float64(), 1/p.Alpha)
}

// Mean implements Dist; it is infinite for Alpha <= 1.
func (p Pareto) Mean() float64 {
	if p.Alpha <= 1 {
		return math.Inf(1)
	}
	return p.Alpha * p.Min / (p.Alpha - 1)
}

// Clamp bounds the draws of D to [Lo, Hi]; a zero Hi means no upper bound.
type Clamp struct {
	D      Dist
	Lo, Hi float64
}

// Sample implements Dist.
func (c Clamp) Sample(r *rand.Rand) float64 {
	v := c.D.Sample(r)
	if v < c.Lo {
		return c.Lo
	}
	if c.Hi > 0 && v > c.Hi {
		return c.Hi
	}
	return v
}

// Mean implements Dist with the unclamped mean: an estimate, see Dist.
func (c Clamp) Mean() float64 { return c.D.Mean() }

// Compile-time checks that every distribution implements Dist.
var (
	_ Dist = Constant{}
	_ Dist = Uniform{}
	_ Dist = Normal{}
	_ Dist = LogNormal{}
	_ Dist = Pareto{}
	_ Dist = Clamp{}
)
