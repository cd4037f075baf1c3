package schemagen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"unicode/utf8"
)

const seedsPerCase = 200

// TestGenerateValidates is the product promise: every output validates
// against its schema according to an independent validator.
func TestGenerateValidates(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			ref := tc.schema
			if tc.validateAs != "" {
				ref = tc.validateAs
			}
			sch := compileRef(t, ref)
			distinct := map[string]bool{}
			for seed := range uint64(seedsPerCase) {
				out, err := Generate([]byte(tc.schema), rng(seed), tc.opts)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if !utf8.Valid(out) || !json.Valid(out) {
					t.Fatalf("seed %d: invalid JSON/UTF-8: %q", seed, out)
				}
				if err := validateRef(sch, out); err != nil {
					t.Fatalf("seed %d: output does not validate: %s\n%v", seed, out, err)
				}
				distinct[string(out)] = true
			}
			if testing.Verbose() {
				out, _ := Generate([]byte(tc.schema), rng(1), tc.opts)
				t.Logf("%d distinct; sample: %s", len(distinct), out)
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	for _, tc := range validCases {
		a, errA := Generate([]byte(tc.schema), rng(42), tc.opts)
		b, errB := Generate([]byte(tc.schema), rng(42), tc.opts)
		if !bytes.Equal(a, b) || (errA == nil) != (errB == nil) {
			t.Errorf("%s: same seed gave %s and %s", tc.name, a, b)
		}
	}
	seen := map[string]bool{}
	for seed := range uint64(50) {
		out, err := Generate([]byte(weatherSchema), rng(seed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		seen[string(out)] = true
	}
	if len(seen) < 25 {
		t.Errorf("only %d distinct outputs over 50 seeds", len(seen))
	}
}

// TestDeterminismUncached checks that the compiled-schema cache does not
// change what a seed produces.
func TestDeterminismUncached(t *testing.T) {
	for _, tc := range validCases {
		cached, err := Generate([]byte(tc.schema), rng(7), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := compileDocument(bytes.TrimSpace([]byte(tc.schema)))
		if err != nil {
			t.Fatal(err)
		}
		g := newGen(rng(7), tc.opts)
		v, err := g.generateN([]*schema{doc.root}, 0, "", rootAttempts)
		if err != nil {
			t.Fatal(err)
		}
		if fresh := appendJSON(nil, v); !bytes.Equal(cached, fresh) {
			t.Errorf("%s: cached %s, fresh %s", tc.name, cached, fresh)
		}
	}
}

func TestPropertyOrder(t *testing.T) {
	schema := `{"type":"object","additionalProperties":false,"required":["zeta","alpha","mid","beta"],
		"properties":{"zeta":{"type":"integer"},"alpha":{"type":"string"},"opt":{"type":"boolean"},"mid":{"type":"object","properties":{"z":{"const":1},"a":{"const":2}},"required":["z","a"]},"beta":{"type":"null"}}}`
	for seed := range uint64(100) {
		out, err := Generate([]byte(schema), rng(seed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		keys := keysInOrder(t, out)
		want := []string{"zeta", "alpha", "mid", "beta"}
		if len(keys) == 5 {
			want = []string{"zeta", "alpha", "opt", "mid", "beta"}
		}
		if !equalStrings(keys, want) {
			t.Fatalf("key order %v, want %v: %s", keys, want, out)
		}
		if !bytes.Contains(out, []byte(`"mid":{"z":1,"a":2}`)) {
			t.Fatalf("nested order lost: %s", out)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoExtraKeys: additionalProperties:false never yields undeclared
// keys, and optional properties appear about half the time.
func TestNoExtraKeys(t *testing.T) {
	schema := `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"object","additionalProperties":false,"properties":{"d":{"type":"boolean"}}}}}`
	counts := map[string]int{}
	for seed := range uint64(400) {
		out, err := Generate([]byte(schema), rng(seed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if k != "a" && k != "b" && k != "c" {
				t.Fatalf("extra key %q in %s", k, out)
			}
			counts[k]++
		}
		if c, ok := m["c"].(map[string]any); ok {
			for k := range c {
				if k != "d" {
					t.Fatalf("extra nested key %q in %s", k, out)
				}
			}
		}
	}
	for _, k := range []string{"a", "b", "c"} {
		if counts[k] < 140 || counts[k] > 260 {
			t.Errorf("optional %q emitted %d/400 times, want about half", k, counts[k])
		}
	}
}

func TestEmptySchemas(t *testing.T) {
	for _, s := range []string{"", "  ", "null", "true", "{}", `{"title":"x"}`} {
		out, err := Generate([]byte(s), rng(1), Options{})
		if err != nil || string(out) != "{}" {
			t.Errorf("%q: got %s, %v; want {}", s, out, err)
		}
	}
}

func TestMaxDepthStopsRecursion(t *testing.T) {
	schema := `{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}},"required":["kids"]}`
	for seed := range uint64(50) {
		out, err := Generate([]byte(schema), rng(seed), Options{MaxDepth: 3})
		if err != nil {
			t.Fatal(err)
		}
		if d := nestingDepth(out); d > 3*2+2 {
			t.Fatalf("depth %d exceeds MaxDepth: %s", d, out)
		}
	}
}

func nestingDepth(b []byte) int {
	d, best := 0, 0
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '{' || c == '['):
			d++
			best = max(best, d)
		case !inStr && (c == '}' || c == ']'):
			d--
		}
	}
	return best
}

// TestConcurrent shares one cached compiled schema between goroutines;
// run with -race.
func TestConcurrent(t *testing.T) {
	schema := []byte(validCases[2].schema)
	want, err := Generate(schema, rng(11), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := Generate(schema, rng(11), Options{})
				if err != nil || !bytes.Equal(got, want) {
					errs <- fmt.Sprintf("got %s, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestWordsOption(t *testing.T) {
	schema := `{"type":"object","required":["text"],"properties":{"text":{"type":"string"}}}`
	out, err := Generate([]byte(schema), rng(3), Options{Words: []string{"zebra"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("zebra")) {
		t.Errorf("custom words not used: %s", out)
	}
	// empty and invalid words must not produce empty or invalid text
	out, err = Generate([]byte(schema), rng(3), Options{Words: []string{"", "\xff"}})
	if err != nil || !utf8.Valid(out) {
		t.Errorf("bad words: %q %v", out, err)
	}
}

func TestErrorsAreWrapped(t *testing.T) {
	_, err := Generate([]byte(`{"type":`), rng(1), Options{})
	if !errors.Is(err, ErrInvalidSchema) {
		t.Errorf("invalid JSON: %v", err)
	}
	_, err = Generate([]byte(`{"enum":[]}`), rng(1), Options{})
	if !errors.Is(err, ErrUnsatisfiable) {
		t.Errorf("empty enum: %v", err)
	}
	if _, err = Generate([]byte(`{}`), nil, Options{}); err == nil {
		t.Error("nil rand accepted")
	}
}
