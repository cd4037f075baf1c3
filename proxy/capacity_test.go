package proxy

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// A model's max_concurrency admits that many at once; with no queue the
// rest get the provider's overload at once.
func TestModelCapacity(t *testing.T) {
	srv := rulesServer(t, `version: 1
simulate:
  models:
    busy-*: {max_concurrency: 1, itl: {dist: constant, value: 100ms}, output_tokens: {dist: constant, value: 5}}
`, nil)
	post := func(model string) int {
		resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	codes := make([]int, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = post("busy-model") })
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 503:
			refused++
		}
	}
	if ok < 1 || refused < 1 || ok+refused != 4 {
		t.Fatalf("statuses %v: want some 200 and some 503", codes)
	}
	if c := post("idle-model"); c != 200 {
		t.Fatalf("an unlimited model got %d", c)
	}
}
