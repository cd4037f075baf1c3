package schemagen

import "testing"

func BenchmarkGenerate(b *testing.B) {
	schema := []byte(weatherSchema)
	r := rng(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(schema, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateStrictNested(b *testing.B) {
	var schema []byte
	for _, tc := range validCases {
		if tc.name == "openai_strict" {
			schema = []byte(tc.schema)
		}
	}
	r := rng(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(schema, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile measures the uncached path: a schema seen for the
// first time.
func BenchmarkCompile(b *testing.B) {
	schema := []byte(weatherSchema)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compileDocument(schema); err != nil {
			b.Fatal(err)
		}
	}
}
