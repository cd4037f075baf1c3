package faults

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/wire"
)

var testStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// testExchange is an exchange on a manual clock for the given provider.
func testExchange(provider string) (*Exchange, *clock.Manual) {
	c := clock.NewManual(testStart)
	var d wire.Dialect = wire.OpenAIDialect{}
	switch provider {
	case "anthropic":
		d = wire.AnthropicDialect{}
	case "azure":
		d = wire.AzureDialect{}
	case "gemini":
		d = wire.GeminiDialect{}
	}
	x := &Exchange{Dialect: d, Provider: provider, Method: "POST", Path: "/v1/chat/completions",
		Header: http.Header{}, RequestID: "req_test", Rand: rand.New(rand.NewPCG(1, 2)), Clock: c,
		Abort: func(bool) { panic(errAborted) }}
	return x, c
}

type abortPanic struct{}

var errAborted = abortPanic{}

// recorder collects what reaches the end of a sink chain, through a real
// wire.Writer.
func recorder() (*httptest.ResponseRecorder, *wire.Writer) {
	rec := httptest.NewRecorder()
	return rec, wire.NewWriter(rec)
}

// aborted runs f and reports whether it called Exchange.Abort.
func aborted(f func()) (was bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != errAborted {
				panic(v)
			}
			was = true
		}
	}()
	f()
	return false
}
