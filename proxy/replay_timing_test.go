package proxy

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/internal/clock"
)

const streamQuestion = `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"pace"}]}`

// recordStream records one chat stream whose tokens arrive gap apart.
func recordStream(t *testing.T, gap time.Duration) (dir, ca string) {
	dir = t.TempDir()
	up := simUpstream(t, gap)
	ca = up.caFile(t)
	rec := tape(t, up.URL, ca, dir, "record", "{}")
	rawPost(t, rec.srv.URL+"/v1/chat/completions", streamQuestion)
	return dir, ca
}

// recordingOf reads back the recording of streamQuestion, in a scope of
// its own so the test's replay order is untouched.
func recordingOf(t *testing.T, s *stack) *cassette.Recording {
	t.Helper()
	rec, miss, err := s.front.Cassettes.Replay(&cassette.Request{Method: http.MethodPost, Provider: "openai",
		Path: "/v1/chat/completions", Header: http.Header{}, Body: []byte(streamQuestion)}, "probe", cassette.RepeatLast)
	if err != nil || rec == nil {
		t.Fatalf("no recording: %v %v", err, miss)
	}
	return rec
}

// sleepsFor is what a replay on a manual clock must sleep to put every
// piece at its offset: the steps of the running latest offset.
func sleepsFor(rec *cassette.Recording, scale func(time.Duration) time.Duration) []time.Duration {
	offsets := []time.Duration{rec.HeadAt}
	for _, ev := range rec.Events {
		offsets = append(offsets, ev.At)
	}
	offsets = append(offsets, rec.EndAt)
	var sleeps []time.Duration
	var now time.Duration
	for _, o := range offsets {
		if d := scale(o) - now; d > 0 {
			sleeps = append(sleeps, d)
			now += d
		}
	}
	return sleeps
}

// Each timing mode paces a replay as it says: original at the recorded
// offsets, scaled at the offsets divided by the speed, instant not at all,
// simulated by the rule's timing model (a time to first token, then one
// gap per event).
func TestReplayTimingModes(t *testing.T) {
	dir, ca := recordStream(t, 4*time.Millisecond)
	for _, tc := range []struct {
		name, cassette, simulate string
		want                     func(*cassette.Recording) []time.Duration
	}{
		{"original", "{timing: original}", "", func(r *cassette.Recording) []time.Duration {
			return sleepsFor(r, func(d time.Duration) time.Duration { return d })
		}},
		{"scaled", "{timing: scaled, speed: 4}", "", func(r *cassette.Recording) []time.Duration {
			return sleepsFor(r, func(d time.Duration) time.Duration { return time.Duration(float64(d) / 4) })
		}},
		{"instant", "{timing: instant}", "", func(*cassette.Recording) []time.Duration { return nil }},
		{"simulated", "{timing: simulated}", "\n    simulate: {ttft: {dist: constant, value: 100ms}, itl: {dist: constant, value: 10ms}}",
			func(r *cassette.Recording) []time.Duration {
				want := []time.Duration{100 * time.Millisecond}
				for range len(r.Events) - 1 {
					want = append(want, 10*time.Millisecond)
				}
				return want
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewManual(time.Unix(1_700_000_000, 0))
			rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", tc.cassette+tc.simulate,
				func(f *Front) { f.Clock = clk })
			rawPost(t, rep.srv.URL+"/v1/chat/completions", streamQuestion)
			rec := recordingOf(t, rep)
			if len(rec.Events) < 5 || rec.EndAt < 4*4*time.Millisecond {
				t.Fatalf("recorded %d events ending at %v: not the paced stream sent", len(rec.Events), rec.EndAt)
			}
			if got, want := clk.Sleeps(), tc.want(rec); !slices.Equal(got, want) {
				t.Fatalf("slept %v, want %v", got, want)
			}
		})
	}
}

// On the wall clock, original timing puts every event where it was
// recorded: never early, and within 250 ms late on a busy machine (the
// recorded gaps are 20 ms).
func TestReplayOriginalTimingRealTime(t *testing.T) {
	dir, ca := recordStream(t, 20*time.Millisecond)
	rep := tape(t, "https://127.0.0.1:1", ca, dir, "replay", "{timing: original}")
	got := eventTimes(t, rep.srv.URL+"/v1/chat/completions", streamQuestion)
	rec := recordingOf(t, rep)
	if len(got) != len(rec.Events) {
		t.Fatalf("%d events replayed, %d recorded", len(got), len(rec.Events))
	}
	for i, at := range got {
		want := rec.Events[i].At
		if at < want || at > want+250*time.Millisecond {
			t.Errorf("event %d at %v, recorded at %v", i, at, want)
		}
	}
}
