package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type stdio struct{ out, err io.Writer }

// options are the command line's.
type options struct {
	config      string
	listen      string
	adminListen string
	seed        *int64
	version     bool
	offline     bool
	caDir       string
	pidFile     string
	// lifecycle hands the listeners over at an upgrade; nil (serve run
	// in-process) means plain listeners and no upgrades.
	lifecycle lifecycle
}

// errUsage is returned for a bad command line; flag has printed why.
var errUsage = errors.New("see --help for usage")

// run is the whole program; ctx ending is the signal to drain and exit.
func run(ctx context.Context, args []string, io stdio) error {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return check(args[1:], io)
		case "ca":
			return caCommand(args[1:], io)
		case "ctl":
			return ctl(args[1:], io)
		}
	}
	opts, err := parseFlags(args, io.err)
	if err != nil {
		return err
	}
	if opts.version {
		fmt.Fprintln(io.out, "llm-simulator", version)
		return nil
	}
	if opts.lifecycle, err = newLifecycle(opts.pidFile); err != nil {
		return err
	}
	return serve(ctx, opts, io, nil)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("llm-simulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.config, "config", "", "config `file` (default: the embedded default config)")
	fs.StringVar(&o.listen, "listen", "", "proxy `address`, overriding the config's listen (default 127.0.0.1:8080)")
	fs.StringVar(&o.adminListen, "admin-listen", "", "admin `address`, overriding the config's admin.listen (default 127.0.0.1:9090)")
	fs.Func("seed", "random `seed`, overriding the config's seed", func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		o.seed = &v
		return err
	})
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.StringVar(&o.pidFile, "pid-file", "", "write the serving process's pid to `file`, rewritten by each upgrade (for systemd's $MAINPID)")
	addForwardingFlags(fs, o)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: llm-simulator [flags]\n       llm-simulator check FILE\n       llm-simulator ca path|export|rotate [--config FILE] [--ca-dir DIR]\n       llm-simulator ctl [--addr ADDR] [--token TOKEN] [--json] COMMAND (ctl -h lists them)\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &options{version: false}, errUsage
		}
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		return nil, errUsage
	}
	return o, nil
}
