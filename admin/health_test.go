package admin

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProbes(t *testing.T) {
	var h Health
	mux := http.NewServeMux()
	h.Register(mux)
	get := func(path string) int {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	if get("/healthz") != 200 || get("/readyz") != 503 {
		t.Fatal("before ready: want healthz 200, readyz 503")
	}
	h.SetReady(true)
	if get("/readyz") != 200 {
		t.Fatal("ready: readyz not 200")
	}
	h.SetReady(false)
	if get("/readyz") != 503 || get("/healthz") != 200 {
		t.Fatal("draining: want healthz 200, readyz 503")
	}
}
