package proxy

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// BenchmarkFrontReplay is BenchmarkFront answered from a cassette: the
// first call records the simulator's answer, every later one replays it
// with no pacing. The target is at least the simulator's speed.
func BenchmarkFrontReplay(b *testing.B) { benchReplay(b, benchChat) }

// BenchmarkFrontReplayStream is BenchmarkFrontStream from a cassette.
func BenchmarkFrontReplayStream(b *testing.B) { benchReplay(b, benchStream) }

func benchReplay(b *testing.B, request string) {
	up := httptest.NewServer(&Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 42})
	defer up.Close()
	src := strings.NewReplacer("UP", up.URL, "DIR", b.TempDir()).Replace(`version: 1
providers:
  openai: {upstream: "UP"}
cache: {dir: "DIR"}
rules:
  - name: tape
    action: replay_or_record
    cassette: {timing: instant}
`)
	cfg, err := config.Parse("b.yaml", []byte(src), config.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	store, err := cassette.Open(CassetteOptions(&cfg.Cache))
	if err != nil {
		b.Fatal(err)
	}
	live := new(rules.Live)
	live.Store(mustBuild(b, cfg, faults.NewStore(), "bench"))
	f := &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 42,
		Upstreams: ups, Cassettes: store}
	benchFrontBody(b, f, request)
	if st := store.Stats(); st.Committed != 1 || st.Hits == 0 {
		b.Fatalf("not replaying: %+v", st)
	}
}
