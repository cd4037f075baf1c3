package canon

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestHashIgnoresSerialisation(t *testing.T) {
	same := [][2]string{
		{`{"a":1,"b":[1,2]}`, `{ "b" : [1, 2], "a" : 1 }`},
		{`{"s":"A\n"}`, `{"s":"\u0041\n"}`},
		{`{"e":"😀"}`, `{"e":"\ud83d\ude00"}`},
		{`{"x":{"q":true,"p":null}}`, `{"x":{"p":null,"q":true}}`},
		{`{"model":"m","stream":true}`, `{"model":"m"}`},
		{`{"model":"m","stream_options":{"include_usage":true},"stream":false}`, `{"model":"m"}`},
	}
	for _, c := range same {
		if Hash([]byte(c[0]), "stream", "stream_options") != Hash([]byte(c[1]), "stream", "stream_options") {
			t.Errorf("%s and %s hash differently", c[0], c[1])
		}
	}
}

func TestHashSeparatesMeaning(t *testing.T) {
	distinct := []string{
		`{"a":1}`, `{"a":"1"}`, `{"a":[1]}`, `{"a":{"1":1}}`, `{"b":1}`, `{"a":1,"b":1}`,
		`[1,2]`, `[2,1]`, `{"a":true}`, `{"a":false}`, `{"a":null}`, `{}`, `[]`, `""`,
		`{"a":"x","b":"y"}`, `{"a":"y","b":"x"}`, `{"ab":"c"}`, `{"a":"bc"}`,
		// Nested skips do not apply: only top-level members are skipped.
		`{"x":{"stream":true}}`, `{"x":{}}`,
	}
	seen := map[uint64]string{}
	for _, d := range distinct {
		h := Hash([]byte(d), "stream")
		if prev, ok := seen[h]; ok {
			t.Errorf("%s and %s collide", prev, d)
		}
		seen[h] = d
	}
}

func TestHashOfInvalidJSONIsItsOwn(t *testing.T) {
	for _, bad := range []string{`{"a":`, `{"a" 1}`, `nope`, `{"a":1}x`, "\"\x01\""} {
		if Hash([]byte(bad)) == Hash([]byte(`{}`)) {
			t.Errorf("%q collides with {}", bad)
		}
	}
}

func FuzzHash(f *testing.F) {
	f.Add([]byte(`{"model":"gpt","messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`[1,"\u00e9",{"a":null}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h := Hash(data, "stream")
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		// Re-encoding sorts keys and normalises escapes; meaning is unchanged.
		again, err := json.Marshal(v)
		if err != nil {
			return
		}
		var v2 any
		if json.Unmarshal(again, &v2) != nil || !numbersVerbatim(data) || duplicateKeys(data) {
			return
		}
		if h2 := Hash(again, "stream"); h2 != h {
			t.Fatalf("%s and its re-encoding %s hash differently", data, again)
		}
	})
}

// numbersVerbatim reports whether every number in data survives a float64
// round trip textually; Hash compares numbers by text on purpose.
func numbersVerbatim(data []byte) bool {
	d := json.NewDecoder(bytesReader(data))
	d.UseNumber()
	for {
		tok, err := d.Token()
		if err != nil {
			return true
		}
		if n, ok := tok.(json.Number); ok {
			f, err := n.Float64()
			if err != nil {
				return false
			}
			b, _ := json.Marshal(f)
			if string(b) != string(n) {
				return false
			}
		}
	}
}

// duplicateKeys reports whether an object in data repeats a key: decoders
// keep the last one, and Hash makes no promise about such input.
func duplicateKeys(data []byte) bool {
	d := json.NewDecoder(bytesReader(data))
	var stack []map[string]bool
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1] != nil }
	var inKey []bool
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, map[string]bool{})
				inKey = append(inKey, true)
			case '[':
				stack = append(stack, nil)
				inKey = append(inKey, false)
			default:
				stack, inKey = stack[:len(stack)-1], inKey[:len(inKey)-1]
			}
			if len(inKey) > 0 && v != '{' && v != '[' && stack[len(stack)-1] != nil {
				inKey[len(inKey)-1] = true
			}
			continue
		case string:
			if expectKey() && inKey[len(inKey)-1] {
				if stack[len(stack)-1][v] {
					return true
				}
				stack[len(stack)-1][v] = true
				inKey[len(inKey)-1] = false
				continue
			}
		}
		if expectKey() {
			inKey[len(inKey)-1] = true
		}
	}
}

func BenchmarkHash(b *testing.B) {
	body := []byte(`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Tell me a joke about proxies, please."}],"stream":true,"max_tokens":50}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Hash(body, "stream", "stream_options", "user")
	}
}

func TestHashFlag(t *testing.T) {
	cases := []struct {
		body string
		set  bool
	}{
		{`{"stream":true}`, true},
		{`{"stream" : true, "x":1}`, true},
		{`{"stream":false}`, false},
		{`{"stream":"true"}`, false},
		{`{"x":{"stream":true}}`, false},
		{`[{"stream":true}]`, false},
		{`{"stream":true`, false},
		{`{"a":1}`, false},
	}
	for _, c := range cases {
		h, set := HashFlag([]byte(c.body), "stream", "stream")
		if set != c.set {
			t.Errorf("%s: flag %v, want %v", c.body, set, c.set)
		}
		if h != Hash([]byte(c.body), "stream") {
			t.Errorf("%s: HashFlag and Hash disagree", c.body)
		}
	}
}

// HashCapture agrees with HashFlag on the hash and the flag, and with
// Lookup on the captured member of any valid JSON object.
func FuzzHashCapture(f *testing.F) {
	f.Add([]byte(`{"model":"gpt-4o","stream":true,"messages":[{"model":"inner"}]}`), "model")
	f.Add([]byte(`{"model":"a","model":"b"}`), "model")
	f.Add([]byte(`{"n":{"model":1}}`), "model")
	f.Add([]byte(`not json`), "model")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		var got [1][]byte
		h, set, _ := HashCapture(data, "stream", []string{key}, got[:], "user")
		captured := got[0]
		h2, set2 := HashFlag(data, "stream", "user")
		if h != h2 || set != set2 {
			t.Fatalf("HashCapture (%x, %v) and HashFlag (%x, %v) disagree", h, set, h2, set2)
		}
		if key == "" || !json.Valid(data) || bytes.TrimSpace(data)[0] != '{' {
			return
		}
		raw, ok := Lookup(data, key)
		if ok != (captured != nil) || !bytes.Equal(raw, captured) {
			t.Fatalf("captured %q, Lookup found %q (%v)", captured, raw, ok)
		}
	})
}

// HashCapture keeps several top-level members from the pass that hashes:
// the last of duplicates, nil when absent or nested, nothing at all when
// the body is not JSON; and the hash is HashFlag's.
func TestHashCapture(t *testing.T) {
	body := []byte(`{"model":"a","metadata":{"user_id":"u"},"n":{"metadata":1},"model":"b"}`)
	got := make([][]byte, 3)
	h, set, json := HashCapture(body, "stream", []string{"model", "metadata", "absent"}, got)
	if !json || set {
		t.Fatalf("json %v set %v", json, set)
	}
	if string(got[0]) != `"b"` || string(got[1]) != `{"user_id":"u"}` || got[2] != nil {
		t.Fatalf("captured %q", got)
	}
	if want, _ := HashFlag(body, "stream"); h != want {
		t.Fatalf("hash %x, HashFlag's %x", h, want)
	}
	got[2] = []byte("stale")
	if _, _, json := HashCapture([]byte(`{"model":"a"`), "", []string{"model", "x", "y"}, got); json || got[0] != nil || got[2] != nil {
		t.Fatalf("truncated body: json %v captured %q", json, got)
	}
}
