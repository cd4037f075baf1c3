package canon

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestLookup(t *testing.T) {
	body := []byte(` {"model" : "gpt-4o", "messages":[{"stream":false}], "stream": true, "n":2 ,"x":{"a":[1,{}]}} `)
	cases := []struct {
		key, raw string
		ok       bool
	}{
		{"model", `"gpt-4o"`, true},
		{"stream", `true`, true},
		{"n", `2`, true},
		{"x", `{"a":[1,{}]}`, true},
		{"missing", ``, false},
	}
	for _, c := range cases {
		raw, ok := Lookup(body, c.key)
		if string(raw) != c.raw || ok != c.ok {
			t.Errorf("Lookup(%q) = %q %v", c.key, raw, ok)
		}
	}
	for _, bad := range []string{`[]`, `{"a":}`, `{"a":1`, ``, `{"a" 1}`} {
		if _, ok := Lookup([]byte(bad), "a"); ok {
			t.Errorf("Lookup in %q succeeded", bad)
		}
	}
}

func TestString(t *testing.T) {
	cases := map[string]string{
		`{"model":"gpt-4o"}`:        "gpt-4o",
		`{"model":"caf\u00e9"}`:     "café",
		`{"model":"a\"b"}`:          `a"b`,
		`{"model":"\ud83d\ude00x"}`: "😀x",
	}
	for body, want := range cases {
		if got, ok := String([]byte(body), "model"); !ok || got != want {
			t.Errorf("String(%s) = %q %v, want %q", body, got, ok, want)
		}
	}
	if _, ok := String([]byte(`{"model":3}`), "model"); ok {
		t.Error("a number read as a string")
	}
}

func FuzzLookup(f *testing.F) {
	f.Add([]byte(`{"model":"x","stream":true}`), "model")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		raw, ok := Lookup(data, key)
		if ok && len(raw) == 0 {
			t.Fatal("found an empty value")
		}
		_, _ = String(data, key)
	})
}

func TestArrayLen(t *testing.T) {
	cases := []struct {
		raw string
		n   int
		ok  bool
	}{
		{`[]`, 0, true},
		{` [ 1 ] `, 1, true},
		{`["a,b", {"c":[1,2,3]}, [4,5], null]`, 4, true},
		{`[1,]`, 0, false},
		{`[1`, 0, false},
		{`{"a":1}`, 0, false},
		{`"[1,2]"`, 0, false},
		{``, 0, false},
	}
	for _, c := range cases {
		if n, ok := ArrayLen([]byte(c.raw)); n != c.n || ok != c.ok {
			t.Errorf("ArrayLen(%s) = %d %v, want %d %v", c.raw, n, ok, c.n, c.ok)
		}
	}
}

// ArrayLen counts what the standard decoder would decode.
func FuzzArrayLen(f *testing.F) {
	for _, s := range []string{`[]`, `[1,"a",{"b":[2]}]`, `[[],[[]]]`, `[1,]`, `["\"]",1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, ok := ArrayLen(data)
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) != nil || elems == nil || bytes.Count(data, []byte("[")) > maxDepth {
			return // not an array (or nested past the scanner's depth)
		}
		if !ok || n != len(elems) {
			t.Fatalf("ArrayLen(%q) = %d %v; the decoder finds %d elements", data, n, ok, len(elems))
		}
	})
}
