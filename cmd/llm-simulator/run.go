package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/sidecar"
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
	lifecycle sidecar.Lifecycle
}

// errUsage is returned for a bad command line once its usage is printed
// to stderr; main exits 2 for it, as Go's flag package does.
var errUsage = errors.New("bad command line: -h shows the usage")

// errHelp is returned once -h, --help or help printed the usage to
// stdout: nothing failed, and run answers nil for it.
var errHelp = errors.New("usage printed")

const usage = `usage: llm-simulator [flags]              serve (the embedded default config unless --config)
       llm-simulator check FILE             validate a config file as the server would, without serving
       llm-simulator ca path|export|rotate [--config FILE] [--ca-dir DIR]
       llm-simulator ctl [flags] COMMAND    the admin API's client (ctl -h lists its commands)
       llm-simulator help | -h | --help     this text

exit status: 0 done, 1 failed, 2 bad command line

flags:
`

// run is the whole program; ctx ending is the signal to drain and exit.
func run(ctx context.Context, args []string, io stdio) error {
	err := dispatch(ctx, args, io)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, io stdio) error {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return check(args[1:], io)
		case "ca":
			return caCommand(args[1:], io)
		case "ctl":
			return ctl(args[1:], io)
		case "help":
			args = []string{"--help"}
		}
	}
	opts, err := parseCommandLine(args, io)
	if err != nil {
		return err
	}
	if opts.version {
		fmt.Fprintln(io.out, "llm-simulator", version)
		return nil
	}
	if opts.lifecycle, err = sidecar.NewLifecycle(opts.pidFile); err != nil {
		return err
	}
	return serve(ctx, opts, io, nil)
}

// parseFlags parses the serving command line, its messages and usage
// going to stderr.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	return parseCommandLine(args, stdio{out: stderr, err: stderr})
}

// parseCommandLine parses the serving command line; -h prints the usage
// to io.out.
func parseCommandLine(args []string, io stdio) (*options, error) {
	fs := flag.NewFlagSet("llm-simulator", flag.ContinueOnError)
	o := &options{}
	fs.StringVar(&o.config, "config", "", "config `file` (default: the embedded default config)")
	fs.Func("listen", "proxy `address`, overriding the config's listen (default 127.0.0.1:8080)", func(s string) error {
		o.listen = s
		return config.CheckListenAddress(s)
	})
	fs.Func("admin-listen", "admin `address`, overriding the config's admin.listen (default 127.0.0.1:9090)", func(s string) error {
		o.adminListen = s
		return config.CheckListenAddress(s)
	})
	fs.Func("seed", "random `seed`, overriding the config's seed", func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		o.seed = &v
		return err
	})
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.StringVar(&o.pidFile, "pid-file", "", "write the serving process's pid to `file`, rewritten by each upgrade (for systemd's $MAINPID)")
	addForwardingFlags(fs, o)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args, io); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageError(fs, io, "unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// parseArgs parses a command line as flag.ExitOnError would, without
// exiting: -h or --help prints fs's usage to stdout and is errHelp; a bad
// flag is reported with the usage on stderr and is errUsage.
func parseArgs(fs *flag.FlagSet, args []string, io stdio) error {
	usage := fs.Usage
	fs.Usage = func() {} // printed below, where it belongs
	fs.SetOutput(io.err)
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(io.out)
		fs.Usage()
		fs.SetOutput(io.err)
		return errHelp
	case err != nil:
		fs.Usage()
		return errUsage
	}
	return nil
}

// usageError reports a command line the flags accepted but the command
// does not, with the usage, on stderr.
func usageError(fs *flag.FlagSet, io stdio, format string, args ...any) error {
	fmt.Fprintf(io.err, format+"\n", args...)
	fs.SetOutput(io.err)
	fs.Usage()
	return errUsage
}
