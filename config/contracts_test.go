package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIssueContractLoads(t *testing.T) {
	cfg, err := Load("testdata/issue3-contract.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
	kinds := map[string][]string{}
	for _, r := range cfg.Rules {
		for i := range r.Faults {
			f, _, err := r.Faults[i].Check()
			if err != nil {
				t.Fatal(err)
			}
			kinds[r.Name] = append(kinds[r.Name], f.Kind())
		}
	}
	want := map[string]string{"scripted": "error", "overload": "error", "limited": "rate_limit", "cut": "stream", "slow": "latency,itl"}
	for name, k := range want {
		if got := strings.Join(kinds[name], ","); got != k {
			t.Errorf("rule %s faults %s, want %s", name, got, k)
		}
	}
	if _, gate, _ := cfg.Rules[4].Faults[0].Check(); gate.Probability == nil || *gate.Probability != 0.5 {
		t.Errorf("latency gate %+v", gate)
	}
}

// The DESIGN.md sketch passes check without a warning.
func TestDesignSketch(t *testing.T) {
	cfg, err := Load("testdata/design-sketch.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Fatalf("warnings: %v", cfg.Warnings)
	}
	if got := cfg.Providers["openai"].Upstream; got != "https://api.openai.com" {
		t.Fatalf("openai upstream %q", got)
	}
}

func TestCatchAllWarning(t *testing.T) {
	cfg, err := Parse("w.yaml", []byte("version: 1\nrules:\n  - name: all\n  - name: never\n    match: {model: x}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Error(), `w.yaml:4:5: rule "never" can never match: rule "all" before it takes every request`) {
		t.Fatalf("warnings %v", cfg.Warnings)
	}
}

// The fixture is DESIGN.md's sketch verbatim, when DESIGN.md is beside the
// clone (as in CI and development).
func TestDesignSketchFixtureIsCurrent(t *testing.T) {
	design, err := os.ReadFile("../../shared/DESIGN.md")
	if err != nil {
		t.Skipf("../../shared/DESIGN.md is not beside this clone (%v); the fixture cannot be compared with it", err)
	}
	doc := string(design)
	start := strings.Index(doc, "```yaml\nversion: 1\nseed: 42\nlisten:")
	if start < 0 {
		t.Fatal("DESIGN.md no longer holds the config sketch this test looks for")
	}
	sketch := doc[start+len("```yaml\n"):]
	sketch = sketch[:strings.Index(sketch, "```")]
	fixture, err := os.ReadFile("testdata/design-sketch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(fixture), sketch) {
		t.Fatalf("testdata/design-sketch.yaml differs from DESIGN.md's sketch:\n%s", sketch)
	}
}

// The docs the README links show the contracts users copy; they must be
// the fixtures.
func TestReadmeShowsTheContract(t *testing.T) {
	for name, page := range map[string]string{
		"issue3-contract.yaml": "docs/rules.md",
		"issue4-contract.yaml": "docs/routing.md",
		"record-replay.yaml":   "docs/record-replay.md",
	} {
		doc, err := os.ReadFile("../" + page)
		if err != nil {
			t.Fatal(err)
		}
		fixture, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "```yaml\n"+string(fixture)+"```") {
			t.Errorf("%s does not show config/testdata/%s as it is", page, name)
		}
	}
}

// The record-and-replay config docs/record-replay.md shows loads, its cache beside the file
// and the rule's cassette options filled with their defaults.
func TestRecordReplayConfig(t *testing.T) {
	cfg, err := Load("testdata/record-replay.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cache
	if c.Dir != filepath.Join("testdata", "cassettes") || c.Entries != 10000 || c.MaxBytes != 256<<20 ||
		len(*c.Ignore) != 1 || (*c.Ignore)[0] != "user" {
		t.Fatalf("cache %+v", c)
	}
	want := CassetteSpec{OnMiss: "error", Timing: "original", Speed: 1, AfterLast: "repeat"}
	if got := cfg.Rules[0].Cassette; got != want || cfg.Rules[0].Action != "replay" {
		t.Fatalf("rule %s cassette %+v, want %+v", cfg.Rules[0].Action, got, want)
	}
	if got := DefaultCassette("replay_or_record"); got.OnMiss != "" || got.Timing != "original" {
		t.Fatalf("default cassette for replay_or_record %+v", got)
	}
}
