package simulate

import (
	"encoding/json"
	"testing"
)

// A filled template is byte for byte what encoding the event would give.
func TestEventTemplateMatchesEncoding(t *testing.T) {
	type ev struct {
		Type  string `json:"type"`
		Seq   int    `json:"sequence_number"`
		Delta string `json:"delta"`
		Extra string `json:"extra,omitempty"`
	}
	tpl, ok := newEventTemplate(ev{Type: "t", Seq: holeInt, Delta: holeString, Extra: holeString})
	if !ok || len(tpl.parts) != 4 {
		t.Fatalf("template %q ok=%v", tpl.parts, ok)
	}
	for _, c := range []ev{{"t", 0, "hi", "x"}, {"t", 12345, "q\"\n\\ é", "日本"}, {"t", 7, "", "y"}} {
		got := tpl.start(nil).int(c.Seq).str(c.Delta).str(c.Extra).buf
		want, _ := json.Marshal(c)
		if string(got) != string(want) {
			t.Errorf("template gave %s, encoding %s", got, want)
		}
	}
	if _, ok := newEventTemplate(ev{Type: "no holes"}); ok {
		t.Error("a template without holes was accepted")
	}
}
