package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/sidecar"
)

func addForwardingFlags(fs *flag.FlagSet, o *options) {
	fs.BoolVar(&o.offline, "offline", false, "never dial an upstream: forwards answer an error, tunnels are refused (the config's upstreams: deny)")
	fs.StringVar(&o.caDir, "ca-dir", "", "`directory` of the interception CA (ca.pem, ca-key.pem), created if absent; overrides intercept.ca_dir (default <user config dir>/llm-simulator/ca)")
}

// rotateCommand is the `llm-simulator ca rotate` that makes a new CA for
// the config and CA directory this process was given, for the advice
// when a CA does not fit (sidecar.CheckCA).
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
	ca, err := sidecar.LoadCA(cfg, rotateCommand(o))
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
	dir, err := sidecar.CADir(cfg)
	if err != nil {
		return err
	}
	ca, retired, err := mitm.Rotate(dir, sidecar.CASpec(cfg))
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
