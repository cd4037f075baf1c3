package canon

import "testing"

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
