package sidecar_test

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/sidecar"
)

// A process serves a config file until SIGTERM, upgrading on SIGUSR2 and
// reloading on SIGHUP; run's error is the reason it could not start.
func ExampleRun() {
	run := func(file, pidFile string) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		lc, err := sidecar.NewLifecycle(pidFile) // one per process
		if err != nil {
			return err
		}
		load := func() (*config.Config, error) { return config.Load(file, sidecar.ConfigOptions()) }
		cfg, err := load()
		if err != nil {
			return err // a config.ErrorList, each problem with its file:line:col
		}
		return sidecar.Run(ctx, cfg, sidecar.Options{Load: load, File: file, Lifecycle: lc, PIDFile: pidFile})
	}
	_ = run // main would call run("llm-simulator.yaml", "") and exit 1 on its error
}
