// Command llm-simulator is a chaos and fault-injection proxy sidecar for
// LLM APIs, with a simulation core faithful to OpenAI, Anthropic and Gemini.
//
//	llm-simulator [--config FILE] [--listen ADDR] [--admin-listen ADDR] [--seed N] [--pid-file FILE] [--offline] [--ca-dir DIR]
//	llm-simulator check FILE
//	llm-simulator ca path|export|rotate
//	llm-simulator ctl COMMAND   (the admin API's client: status, rules, fault, requests, cache, explain, upgrade…)
//	llm-simulator --version
//	llm-simulator help | -h | --help   (the usage, on stdout)
//
// With no --config it serves the embedded default config (default.yaml in
// this folder), which simulates every endpoint with realistic timing.
// SIGHUP reloads the config, SIGUSR2 upgrades to the binary at the same
// path without dropping a connection, SIGINT and SIGTERM drain and exit.
//
// The exit status follows Go's flag package: 0 when the command did what
// was asked (help included), 1 when it failed, 2 for a bad command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

func main() {
	// A log reader that goes away (a pipe closed after an upgrade's first
	// process exited) must cost log lines, not the proxy: Go otherwise
	// exits on a write to a broken stdout or stderr.
	signal.Ignore(syscall.SIGPIPE)
	// Log fields named *_ms hold zerolog durations (Dur): pin zerolog's
	// default unit, float milliseconds, so that the names stay true.
	zerolog.DurationFieldUnit, zerolog.DurationFieldInteger = time.Millisecond, false
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{out: os.Stdout, err: os.Stderr})
	stop()
	switch {
	case errors.Is(err, errUsage):
		// What was wrong, and the usage, are printed already.
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "llm-simulator:", err)
		os.Exit(1)
	}
}
