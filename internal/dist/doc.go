// Package dist holds the probability distributions that the simulator's
// timing model and the faults draw from: constant, uniform, normal,
// lognormal and pareto.
//
// A Dist is pure arithmetic over a caller-supplied *rand.Rand, so a request
// that owns its RNG (seeded from the config seed, the canonical request and
// its occurrence) draws the same values whatever else runs concurrently.
// Values carry no unit: callers decide whether a sample is nanoseconds or a
// token count. Parsing distributions out of YAML belongs to the config
// schema (package rules), not here.
package dist
