package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// defaultConfig is served when no --config is given.
//
//go:embed default.yaml
var defaultConfig []byte

// loadOptions checks templates against the data they will really see,
// and cassette names and key headers as the store will.
var loadOptions = config.Options{TemplateData: simulate.TemplateData{},
	CassetteName: cassette.ValidName, SecretHeader: cassette.IsSecretHeader}

// loadConfig reads the config file, or the embedded default, and applies
// the command line's overrides.
func loadConfig(o *options) (*config.Config, string, error) {
	var cfg *config.Config
	var err error
	source := o.config
	if source == "" {
		source = "embedded default config"
		embedded := loadOptions
		embedded.Embedded = true
		cfg, err = config.Parse("default.yaml", defaultConfig, embedded)
	} else {
		cfg, err = config.Load(o.config, loadOptions)
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
	cfg, err := config.Load(args[0], loadOptions)
	if err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("%s is not valid", args[0])
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(io.err, "warning:", w)
	}
	if err := checkServing(cfg, args[0]); err != nil {
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

// checkServing makes, without side effects, the checks the server makes
// at start beyond the file's own (config.Load): that the upstreams can be
// built, and that an interception CA already there fits the intercept
// hosts — the same functions the server runs. A CA not made yet is made
// for the hosts at the first start, which check does not do; nor does it
// bind the listeners or open the cassettes.
func checkServing(cfg *config.Config, file string) error {
	if _, err := proxy.NewUpstreams(cfg, nil); err != nil {
		return err
	}
	if len(*cfg.Intercept.Hosts) == 0 {
		return nil
	}
	cert, key := cfg.Intercept.CACert, cfg.Intercept.CAKey
	if cert == "" {
		dir, err := caDir(cfg)
		if err != nil {
			return err
		}
		cert, key = filepath.Join(dir, mitm.CertFileName), filepath.Join(dir, mitm.KeyFileName)
		if _, err := os.Stat(cert); errors.Is(err, fs.ErrNotExist) {
			return nil // none yet: the first start makes it
		}
	}
	ca, err := mitm.Load(cert, key)
	if err != nil {
		return fmt.Errorf("interception: %w", err)
	}
	return checkCA(ca, cfg, &options{config: file})
}
