package main

import (
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGTERM with a stream in flight: the stream runs to its end when it
// can within drain_timeout, and ends with the provider's in-stream error
// event at the deadline when it cannot — never a cut — and then the
// process exits 0.
func TestSIGTERMDrainsAStreamInFlight(t *testing.T) {
	for _, tc := range []struct {
		name       string
		drain, itl string // 40 tokens itl apart
		want       string // in what follows the first event
	}{
		{"the stream finishes", "10s", "50ms", "data: [DONE]\n\n"},                                                   // 2 s
		{"the deadline ends the stream", "1s", "125ms", `data: {"error":{"message":"llm-simulator is shutting down`}, // 5 s
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := writeConfig(t, fmt.Sprintf(`version: 1
drain_timeout: %s
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: %s}
  output_tokens: {dist: constant, value: 40}
`, tc.drain, tc.itl))
			cmd, ready := startBinary(t, "--config", config)
			_, r := beginStream(t, ready.Listen)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("the stream was cut: %v …%q", err, rest[max(0, len(rest)-120):])
			}
			if !strings.Contains(string(rest), tc.want) {
				t.Fatalf("the stream's end does not hold %q: …%q", tc.want, rest[max(0, len(rest)-300):])
			}
			if tc.want == "data: [DONE]\n\n" && strings.Contains(string(rest), `data: {"error"`) {
				t.Fatalf("a stream that had time to finish was ended: …%q", rest[max(0, len(rest)-300):])
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("still running 30s after SIGTERM")
			}
		})
	}
}
