package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
)

func addForwardingFlags(fs *flag.FlagSet, o *options) {
	fs.BoolVar(&o.offline, "offline", false, "never dial an upstream: forwards answer an error, tunnels are refused (the config's upstreams: deny)")
	fs.StringVar(&o.caDir, "ca-dir", "", "`directory` of the interception CA (ca.pem, ca-key.pem), created if absent; overrides intercept.ca_dir (default <user config dir>/llm-simulator/ca)")
}

// loadCA is the interception CA the config names — given files, or the
// directory's, created there on first use for the config's hosts — once
// checkCA has found it fit to serve them.
func loadCA(cfg *config.Config, o *options) (*mitm.CA, error) {
	in := cfg.Intercept
	var ca *mitm.CA
	var err error
	if in.CACert != "" {
		ca, err = mitm.Load(in.CACert, in.CAKey)
	} else {
		var dir string
		if dir, err = caDir(cfg); err == nil {
			ca, err = mitm.LoadOrCreate(dir, caSpec(cfg))
		}
	}
	if err != nil {
		return nil, err
	}
	return ca, checkCA(ca, cfg, o)
}

// caDir is where the config keeps a CA of llm-simulator's making.
func caDir(cfg *config.Config) (string, error) {
	if cfg.Intercept.CADir != "" {
		return cfg.Intercept.CADir, nil
	}
	dir, err := mitm.DefaultDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the interception CA (set --ca-dir): %w", err)
	}
	return dir, nil
}

// caSpec is what a CA made for the config covers: the built-in providers'
// hosts and the config's own (config.Config.CAHosts), for ca_validity.
func caSpec(cfg *config.Config) mitm.Spec {
	return mitm.Spec{Hosts: cfg.CAHosts(), Validity: cfg.Intercept.CAValidity.D()}
}

// checkCA refuses a CA that could sign for sites beyond the intercept
// hosts, or that does not cover them all, and says how to get one that
// does: `llm-simulator ca rotate` for a CA of ours; for one of the user's
// own, constraining it.
func checkCA(ca *mitm.CA, cfg *config.Config, o *options) error {
	err := ca.CheckCovers(*cfg.Intercept.Hosts)
	if err == nil {
		return nil
	}
	rotate := rotateCommand(o)
	own := cfg.Intercept.CACert != ""
	var uerr *mitm.UncoveredError
	if errors.As(err, &uerr) {
		for _, h := range uerr.Hosts {
			if _, serr := mitm.Subtree(h); serr != nil {
				return fmt.Errorf("%w. intercept.hosts %q cannot be covered by any name-constrained CA (%v): list the API hosts themselves", err, h, serr)
			}
		}
	}
	switch {
	case own && errors.Is(err, mitm.ErrUnconstrained):
		return fmt.Errorf("%w. llm-simulator refuses a CA of yours (intercept.ca_cert) without name constraints: whoever holds its key can impersonate any site to the clients that trust it. "+
			"Reissue it with a critical name-constraints extension that permits the intercept hosts and excludes IP addresses (docs/ca-trust.md shows how), "+
			"or make one with `%s --ca-dir DIR` and name DIR's ca.pem and ca-key.pem in ca_cert and ca_key", err, rotate)
	case own:
		return fmt.Errorf("%w. Reissue your CA (intercept.ca_cert) with name constraints that permit them, or make one with `%s --ca-dir DIR` and name DIR's ca.pem and ca-key.pem in ca_cert and ca_key", err, rotate)
	case errors.Is(err, mitm.ErrUnconstrained):
		return fmt.Errorf("%w (an earlier llm-simulator made it): it is no longer used. Make a new one with `%s`, trust the new ca.pem in its place, and remove the old one from every store you added it to", err, rotate)
	}
	return fmt.Errorf("%w. Make a new CA that covers the config's hosts with `%s`, and trust the new ca.pem in place of the old", err, rotate)
}

// rotateCommand is the `llm-simulator ca rotate` that makes a new CA for
// the config and CA directory this process was given.
func rotateCommand(o *options) string {
	cmd := "llm-simulator ca rotate"
	if o != nil && o.config != "" {
		cmd += " --config " + o.config
	}
	if o != nil && o.caDir != "" {
		cmd += " --ca-dir " + o.caDir
	}
	return cmd
}

func sameCA(a, b *config.Config) bool {
	return a.Intercept.CADir == b.Intercept.CADir && a.Intercept.CACert == b.Intercept.CACert &&
		a.Intercept.CAKey == b.Intercept.CAKey
}

// caCommand prints where the CA certificate is (ca path) or its PEM (ca
// export), creating the CA if it does not exist yet, so it can be trusted
// before the first run; or replaces it with a new one (ca rotate).
func caCommand(args []string, io stdio) error {
	fs := flag.NewFlagSet("llm-simulator ca", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: llm-simulator ca path|export|rotate [--config FILE] [--ca-dir DIR]\n\n"+
			"  path     print where the interception CA's certificate is, creating the CA if there is none\n"+
			"  export   print the certificate (PEM), creating the CA if there is none\n"+
			"  rotate   replace the CA with a new one that covers the config's hosts\n\nflags:\n")
		fs.PrintDefaults()
	}
	o := &options{}
	fs.StringVar(&o.config, "config", "", "config `file` naming the CA and the hosts it covers (default: the embedded default config)")
	fs.StringVar(&o.caDir, "ca-dir", "", "CA `directory`, overriding the config's")
	if len(args) == 0 || (args[0] != "path" && args[0] != "export" && args[0] != "rotate") {
		if len(args) > 0 && asksHelp(args[:1]) {
			return parseArgs(fs, args[:1], io)
		}
		return usageError(fs, io, "ca: which command: path, export or rotate?")
	}
	if err := parseArgs(fs, args[1:], io); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, io, "ca %s: unexpected argument %q", args[0], fs.Arg(0))
	}
	cfg, _, err := loadConfig(o)
	if err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("cannot read the config")
	}
	if args[0] == "rotate" {
		return rotateCA(cfg, o, io)
	}
	ca, err := loadCA(cfg, o)
	if err != nil {
		return err
	}
	for _, w := range ca.Warnings() {
		fmt.Fprintln(io.err, "warning:", w)
	}
	if args[0] == "path" {
		fmt.Fprintln(io.out, ca.CertFile())
		return nil
	}
	_, err = io.out.Write(ca.CertPEM())
	return err
}

// rotateCA replaces the CA in the config's directory with a new one that
// covers the config's hosts, and says what the user must do about it.
func rotateCA(cfg *config.Config, o *options, io stdio) error {
	if cfg.Intercept.CACert != "" && o.caDir == "" {
		return fmt.Errorf("the config names a CA of its own (intercept.ca_cert %s), which rotate does not touch: "+
			"pass --ca-dir DIR to make a new CA there, then name DIR's ca.pem and ca-key.pem in ca_cert and ca_key", cfg.Intercept.CACert)
	}
	dir, err := caDir(cfg)
	if err != nil {
		return err
	}
	ca, retired, err := mitm.Rotate(dir, caSpec(cfg))
	if err != nil {
		return err
	}
	cert := ca.Certificate()
	fmt.Fprintf(io.out, "new interception CA: %s\n", ca.CertFile())
	fmt.Fprintf(io.out, "  %s, valid until %s, for %d host names: the providers' API hosts and this config's (%s)\n",
		cert.Subject.CommonName, cert.NotAfter.Format("2006-01-02"), len(cert.PermittedDNSDomains), strings.Join(*cfg.Intercept.Hosts, ", "))
	if retired != "" {
		fmt.Fprintf(io.out, "the old certificate is kept as %s: remove it from every trust store you added it to; its key is deleted\n", retired)
	}
	fmt.Fprintln(io.out, "trust the new ca.pem in place of the old (docs/ca-trust.md), and restart or upgrade llm-simulator to use it")
	return nil
}
