package faults

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Over a real connection: the default cut reads as a complete body of
// broken JSON; KeepLength as a read that fails part-way.
func TestBodyCutOverHTTP(t *testing.T) {
	cases := []struct {
		name    string
		sized   bool
		keep    bool
		length  int64 // the Content-Length the client is told; -1: none
		readErr error
	}{
		{"sized", true, false, 30, nil},
		{"sized keep length", true, true, int64(len(fxJSONBody)), io.ErrUnexpectedEOF},
		{"chunked", false, false, -1, nil},
		{"chunked keep length", false, true, -1, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &Body{TruncateAtBytes: 30, KeepLength: c.keep}
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				x, _ := testExchange("openai")
				x.Abort = func(bool) { panic(http.ErrAbortHandler) }
				_, _ = fxPlay(f.Wrap(r.Context(), x, wire.NewWriter(rw)), fxJSON(c.sized))
			}))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.ContentLength != c.length {
				t.Fatalf("Content-Length %d, want %d", resp.ContentLength, c.length)
			}
			body, err := io.ReadAll(resp.Body)
			if !errors.Is(err, c.readErr) {
				t.Fatalf("read: %v, want %v", err, c.readErr)
			}
			if string(body) != fxJSONBody[:30] {
				t.Fatalf("read %q", body)
			}
			if c.readErr == nil {
				var v any
				if err := json.Unmarshal(body, &v); err == nil || err.Error() != "unexpected end of JSON input" {
					t.Fatalf("decoding the cut body: %v", err)
				}
			}
		})
	}
}
