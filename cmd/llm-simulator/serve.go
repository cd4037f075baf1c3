package main

import (
	"context"
	"fmt"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/sidecar"
)

// embeddedSource names the embedded default config in the log.
const embeddedSource = "embedded default config"

// serve loads the config the command line names and serves it until ctx
// ends (sidecar.Run); ready, when not nil, is told the bound addresses
// once both listeners accept connections.
func serve(ctx context.Context, o *options, io stdio, ready func(proxyAddr, adminAddr string)) error {
	cfg, source, err := loadConfig(o)
	if err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("cannot start with %s", source)
	}
	return sidecar.Run(ctx, cfg, sidecar.Options{
		Load: func() (*config.Config, error) {
			cfg, _, err := loadConfig(o)
			return cfg, err
		},
		File:          o.config,
		Source:        source,
		Lifecycle:     o.lifecycle,
		PIDFile:       o.pidFile,
		Version:       version,
		Log:           io.err,
		Ready:         ready,
		RotateCommand: rotateCommand(o),
	})
}
