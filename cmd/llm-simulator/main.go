// Command llm-simulator is a chaos and fault-injection proxy sidecar for
// LLM APIs, with a simulation core faithful to OpenAI, Anthropic and Gemini.
//
//	llm-simulator [--config FILE] [--listen ADDR] [--admin-listen ADDR] [--seed N] [--pid-file FILE] [--offline] [--ca-dir DIR]
//	llm-simulator check FILE
//	llm-simulator ca path|export|rotate
//	llm-simulator ctl COMMAND   (the admin API's client: status, rules, fault, requests, cache, explain, upgrade…)
//	llm-simulator --version
//
// With no --config it serves the embedded default config (default.yaml in
// this folder), which simulates every endpoint with realistic timing.
// SIGHUP reloads the config, SIGUSR2 upgrades to the binary at the same
// path without dropping a connection, SIGINT and SIGTERM drain and exit.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A log reader that goes away (a pipe closed after an upgrade's first
	// process exited) must cost log lines, not the proxy: Go otherwise
	// exits on a write to a broken stdout or stderr.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{out: os.Stdout, err: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "llm-simulator:", err)
		os.Exit(1)
	}
}
