package simulate

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestFastDecodeChatAcceptsPlainRequests(t *testing.T) {
	accept := []string{
		`{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi \u00e9\n"}]}`,
		` { "model" : "m" , "messages" : [ ] , "stream" : true , "stream_options" : { "include_usage" : true } } `,
		`{"model":"m","messages":[{"role":"user","content":"x","name":"bob"}],"max_tokens":5,"n":2,"temperature":0.7,"top_p":1,"user":"u1","max_completion_tokens":9}`,
		`{}`,
	}
	for _, body := range accept {
		var fast chatRequest
		if !fastDecodeChat([]byte(body), &fast) {
			t.Errorf("fast path refused %s", body)
			continue
		}
		var std chatRequest
		if err := json.Unmarshal([]byte(body), &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Errorf("%s: fast %+v, standard %+v", body, fast, std)
		}
	}
	refuse := []string{
		`{"model":"m","tools":[]}`, `{"model":null}`, `{"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}`,
		`{"max_tokens":1.0}`, `{"max_tokens":01}`, `{"n":1e3}`, `{"model":"m"`, `{"model":"m"}x`, `{"mo\u0064el":"m"}`,
		`{"temperature":+1}`, `{"temperature":.5}`, `[]`, ``,
	}
	for _, body := range refuse {
		var r chatRequest
		if fastDecodeChat([]byte(body), &r) {
			t.Errorf("fast path accepted %s", body)
		}
	}
}

// FuzzFastDecodeChat checks that whenever the fast path accepts a body, it
// reads it exactly as the general decoder does.
func FuzzFastDecodeChat(f *testing.F) {
	f.Add(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":5}`)
	f.Add(`{"model":"m","messages":[{"role":"user","content":"a\"b\\c\u00e9"}],"temperature":1e-3,"top_p":0.5}`)
	f.Add(`{"stream_options":{"include_usage":false,"include_obfuscation":true},"user":"x","n":-3}`)
	f.Fuzz(func(t *testing.T, body string) {
		var fast chatRequest
		if !fastDecodeChat([]byte(body), &fast) {
			return
		}
		var std chatRequest
		if err := json.Unmarshal([]byte(body), &std); err != nil {
			t.Fatalf("fast path accepted %q, which encoding/json refuses: %v", body, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("%q: fast %+v, standard %+v", body, fast, std)
		}
	})
}
