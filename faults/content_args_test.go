package faults

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestContentBreaksArgumentsAlikeWholeOrInPieces(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"city":"Paris"}`, `{"city":"Paris"`},
		{`{}`, `{`},
		{`  {"x": 1}  `, `  {"x": 1  `},
		{`{"a":{"b":[1,{"c":"}"}]},"d":"\"}"}`, `{"a":{"b":[1,{"c":"}"}]},"d":"\"}"`},
		{`[1,2]`, `[1,2`},
		{`"a string"`, `{"a string"`},
		{`42`, `{42`},
		{``, ``}, // no arguments: nothing to cut
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			whole := breakArgs(c.in)
			if whole != c.want {
				t.Fatalf("%q became %q, want %q", c.in, whole, c.want)
			}
			if c.in != "" && json.Valid([]byte(whole)) {
				t.Fatalf("%q still parses", whole)
			}
			for cut := 0; cut <= len(c.in); cut++ {
				var a argBreaker
				if got := a.feed(c.in[:cut]) + a.feed(c.in[cut:]); got != whole {
					t.Errorf("cut at %d: %q, whole: %q", cut, got, whole)
				}
			}
			var a argBreaker
			var bytewise string
			for i := range len(c.in) {
				bytewise += a.feed(c.in[i : i+1])
			}
			if bytewise != whole {
				t.Errorf("byte by byte: %q, whole: %q", bytewise, whole)
			}
		})
	}
}

func FuzzContentArgBreaker(f *testing.F) {
	for _, s := range []string{`{"city":"Paris"}`, `[1,{"a":"]"}]`, `"x"`, `{"a":"\\"}`, ` {} `} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, cut int) {
		whole := breakArgs(s)
		if s != "" && json.Valid([]byte(s)) && json.Valid([]byte(whole)) {
			t.Fatalf("%q became %q, which parses", s, whole)
		}
		if len(s) == 0 {
			return
		}
		cut = ((cut % len(s)) + len(s)) % len(s)
		var a argBreaker
		if got := a.feed(s[:cut]) + a.feed(s[cut:]); got != whole {
			t.Fatalf("cut at %d: %q, whole: %q", cut, got, whole)
		}
	})
}

func FuzzContentObject(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,{"c":null}],"a":"dup"}`, `{ "x" : "<&>" }`, `{}`, `[1]`, `{"a":1}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, ok := parseObject(b)
		var want any
		isObject := json.Unmarshal(b, &want) == nil && reflect.TypeOf(want) == reflect.TypeOf(map[string]any{})
		if ok != isObject {
			t.Fatalf("parseObject ok %v, but an object: %v", ok, isObject)
		}
		if !ok {
			return
		}
		enc := o.encode()
		var got any
		if err := json.Unmarshal(enc, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s re-encoded as %s (%v)", b, enc, err)
		}
	})
}
