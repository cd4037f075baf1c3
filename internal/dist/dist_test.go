package dist

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func draws(d Dist, n int) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]float64, n)
	for i := range out {
		out[i] = d.Sample(r)
	}
	slices.Sort(out)
	return out
}

func quantile(sorted []float64, q float64) float64 {
	return sorted[int(q*float64(len(sorted)-1))]
}

func TestDistributionsMatchTheirParameters(t *testing.T) {
	ln, err := NewLogNormal(250, 1200)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		d         Dist
		q         float64
		want, tol float64
	}{
		{"constant", Constant{V: 20}, 0.5, 20, 0},
		{"uniform median", Uniform{Min: 10, Max: 30}, 0.5, 20, 0.5},
		{"uniform min", Uniform{Min: 10, Max: 30}, 0, 10, 0.05},
		{"normal median", Normal{Mu: 20, Sigma: 5}, 0.5, 20, 0.3},
		{"normal 84th", Normal{Mu: 20, Sigma: 5}, 0.8413, 25, 0.4},
		{"lognormal median", ln, 0.5, 250, 8},
		{"lognormal p99", ln, 0.99, 1200, 90},
		{"pareto min", Pareto{Min: 5, Alpha: 1.5}, 0, 5, 0.01},
		// The Pareto median is Min * 2^(1/Alpha).
		{"pareto median", Pareto{Min: 5, Alpha: 1.5}, 0.5, 5 * math.Pow(2, 1/1.5), 0.2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := quantile(draws(c.d, 100_000), c.q)
			if math.Abs(got-c.want) > c.tol {
				t.Fatalf("quantile %.4f = %.3f, want %.3f ± %.3f", c.q, got, c.want, c.tol)
			}
		})
	}
}

func TestSameSeedSameDraws(t *testing.T) {
	d := Normal{Mu: 100, Sigma: 30}
	if !slices.Equal(draws(d, 50), draws(d, 50)) {
		t.Fatal("two RNGs with the same seed drew different values")
	}
}

func TestClampBoundsDraws(t *testing.T) {
	s := draws(Clamp{D: Normal{Mu: 0, Sigma: 10}, Lo: 0, Hi: 5}, 10_000)
	if s[0] != 0 || s[len(s)-1] != 5 {
		t.Fatalf("clamped draws span [%g, %g], want [0, 5]", s[0], s[len(s)-1])
	}
}

func TestNewLogNormalRejectsBadParameters(t *testing.T) {
	for _, c := range [][2]float64{{0, 10}, {10, 5}, {-1, 3}} {
		if _, err := NewLogNormal(c[0], c[1]); err == nil {
			t.Errorf("NewLogNormal(%g, %g) accepted", c[0], c[1])
		}
	}
}

func TestMeans(t *testing.T) {
	if m := (Pareto{Min: 1, Alpha: 1}).Mean(); !math.IsInf(m, 1) {
		t.Errorf("pareto alpha 1 mean = %g, want +Inf", m)
	}
	if m := (Uniform{Min: 2, Max: 4}).Mean(); m != 3 {
		t.Errorf("uniform mean = %g", m)
	}
}
