package main

import (
	_ "embed"
	"fmt"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/sidecar"
)

// defaultConfig is served when no --config is given.
//
//go:embed default.yaml
var defaultConfig []byte

// loadConfig reads the config file, or the embedded default, and applies
// the command line's overrides.
func loadConfig(o *options) (*config.Config, string, error) {
	var cfg *config.Config
	var err error
	source := o.config
	if source == "" {
		source = embeddedSource
		embedded := sidecar.ConfigOptions()
		embedded.Embedded = true
		cfg, err = config.Parse("default.yaml", defaultConfig, embedded)
	} else {
		cfg, err = config.Load(o.config, sidecar.ConfigOptions())
	}
	if err != nil {
		return nil, source, err
	}
	if o.listen != "" {
		cfg.Listen = o.listen
	}
	if o.adminListen != "" {
		cfg.Admin.Listen = o.adminListen
	}
	if o.seed != nil {
		cfg.Seed = *o.seed
	}
	if o.offline {
		cfg.Upstreams = "deny"
	}
	if o.caDir != "" {
		cfg.Intercept.CADir = o.caDir
	}
	return cfg, source, nil
}

// check validates a config file without serving: a one-line summary, or
// every error.
func check(args []string, io stdio) error {
	const usage = "usage: llm-simulator check FILE\n\nValidates FILE as the server does at start and reload, without serving:\n" +
		"a one-line summary, or every problem with its file:line:col. Exit status 1 when FILE is not valid.\n"
	switch {
	case len(args) == 1 && asksHelp(args):
		fmt.Fprint(io.out, usage)
		return errHelp
	case len(args) != 1:
		fmt.Fprint(io.err, usage)
		return errUsage
	}
	cfg, err := config.Load(args[0], sidecar.ConfigOptions())
	if err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("%s is not valid", args[0])
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(io.err, "warning:", w)
	}
	if err := sidecar.Check(cfg, rotateCommand(&options{config: args[0]})); err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("%s: the server would not start with it", args[0])
	}
	nFaults := 0
	for _, r := range cfg.Rules {
		nFaults += len(r.Faults)
	}
	fmt.Fprintf(io.out, "%s: ok (version %d, %d rules, %d faults, default %s, listen %s, admin %s, %d model overrides, %d providers, upstreams %s, %d hosts intercepted, %d warnings)\n",
		args[0], cfg.Version, len(cfg.Rules), nFaults, cfg.DefaultAction, cfg.Listen, cfg.Admin.Listen,
		len(cfg.Simulate.Models), len(cfg.Providers), cfg.Upstreams, len(*cfg.Intercept.Hosts), len(cfg.Warnings))
	return nil
}
