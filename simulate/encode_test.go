package simulate

import (
	"encoding/json"
	"testing"
)

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"plain", "q\"b\\s\n\t\r\x01", "é日本😀", "\xff\xfe", "\u2028<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, enc, err)
		}
		want, _ := json.Marshal(s) // the standard library's view of the same string
		var std string
		_ = json.Unmarshal(want, &std)
		if back != std {
			t.Fatalf("%q round-trips to %q, want %q", s, back, std)
		}
	})
}
