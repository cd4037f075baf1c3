package main

import (
	"flag"
	"fmt"

	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/rules"
)

func addForwardingFlags(fs *flag.FlagSet, o *options) {
	fs.BoolVar(&o.offline, "offline", false, "never dial an upstream: forwards answer an error, tunnels are refused (the config's upstreams: deny)")
	fs.StringVar(&o.caDir, "ca-dir", "", "`directory` of the interception CA (ca.pem, ca-key.pem), created if absent; overrides intercept.ca_dir (default <user config dir>/llm-simulator/ca)")
}

// loadCA is the interception CA the config names: given files, or the
// directory's, created there on first use.
func loadCA(cfg *rules.Config) (*mitm.CA, error) {
	in := cfg.Intercept
	if in.CACert != "" {
		return mitm.Load(in.CACert, in.CAKey)
	}
	dir := in.CADir
	if dir == "" {
		d, err := mitm.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("no directory for the interception CA (set --ca-dir): %w", err)
		}
		dir = d
	}
	return mitm.LoadOrCreate(dir)
}

func sameCA(a, b *rules.Config) bool {
	return a.Intercept.CADir == b.Intercept.CADir && a.Intercept.CACert == b.Intercept.CACert &&
		a.Intercept.CAKey == b.Intercept.CAKey
}

// caCommand prints where the CA certificate is (ca path) or its PEM (ca
// export), creating the CA if it does not exist yet, so it can be trusted
// before the first run.
func caCommand(args []string, io stdio) error {
	usage := func() error {
		fmt.Fprintln(io.err, "usage: llm-simulator ca path|export [--config FILE] [--ca-dir DIR]")
		return errUsage
	}
	if len(args) == 0 || (args[0] != "path" && args[0] != "export") {
		return usage()
	}
	fs := flag.NewFlagSet("llm-simulator ca", flag.ContinueOnError)
	fs.SetOutput(io.err)
	o := &options{}
	fs.StringVar(&o.config, "config", "", "config `file` naming the CA (default: the embedded default config)")
	fs.StringVar(&o.caDir, "ca-dir", "", "CA `directory`, overriding the config's")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usage()
	}
	cfg, _, err := loadConfig(o)
	if err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("cannot read the config")
	}
	ca, err := loadCA(cfg)
	if err != nil {
		return err
	}
	if args[0] == "path" {
		fmt.Fprintln(io.out, ca.CertFile())
		return nil
	}
	_, err = io.out.Write(ca.CertPEM())
	return err
}
