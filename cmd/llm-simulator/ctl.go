package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/llm-simulator/llm-simulator/config"
)

const ctlUsage = `usage: llm-simulator ctl [--addr ADDR] [--token TOKEN | --token-file FILE] [--json] COMMAND

The admin API's client. ADDR, TOKEN and FILE default to $LLMSIM_ADMIN_ADDR
(else 127.0.0.1:9090), $LLMSIM_ADMIN_TOKEN and $LLMSIM_ADMIN_TOKEN_FILE
(the file holding the token, as admin.token_file does).

commands (COMMAND -h, or help COMMAND, shows one's usage):
  status                              readiness, rules, faults and cache at a glance
  rules [ls]                          the rules in force with their counters
  rules enable|disable NAME           toggle a rule at runtime
  rules put FILE                      replace the rules (YAML or JSON: a list, or {rules: [...]})
  fault add [flags]                   add a temporary fault (fault add -h)
  fault ls | fault rm ID              list or remove temporary faults
  reload                              re-read the config file
  upgrade                             hand over to a new process on the same listeners (zero downtime)
  config                              the effective config, secrets masked
  requests [--scope S] [--rule R] [--since 30s] [--limit N]
                                      the request journal, oldest first by arrival
  reset [--scope S]                   forget the state of one scope, or of all
  cache [stats]                       cassette counters and recent misses
  cache purge [--recordings]          empty the body cache (and delete the recordings)
  cache export FILE | cache import FILE
                                      the cassettes as one .tar.gz
  explain --url URL [--method M] [--header K:V]... [--body JSON|@FILE]
                                      which rule takes a request, why, and what replays
`

// ctl runs one admin command against a running process. -h, --help or
// help after a command prints that command's usage to stdout instead of
// running it.
func ctl(args []string, io stdio) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), ctlUsage) }
	c := &ctlClient{out: io.out}
	fs.StringVar(&c.addr, "addr", envOr("LLMSIM_ADMIN_ADDR", "127.0.0.1:9090"), "admin `address` or URL")
	fs.StringVar(&c.token, "token", os.Getenv("LLMSIM_ADMIN_TOKEN"), "admin `token`")
	tokenFile := fs.String("token-file", os.Getenv("LLMSIM_ADMIN_TOKEN_FILE"), "`file` holding the admin token")
	fs.BoolVar(&c.json, "json", false, "print the API's JSON instead of tables")
	if err := parseArgs(fs, args, io); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usageError(fs, io, "ctl: which command?")
	}
	if rest[0] == "help" {
		if len(rest) == 1 {
			fs.SetOutput(io.out)
			fs.Usage()
			return errHelp
		}
		rest = []string{rest[1], "--help"}
	}
	cmd, ok := ctlCommands[rest[0]]
	if !ok {
		return usageError(fs, io, "ctl: unknown command %q", rest[0])
	}
	if asksHelp(rest[1:]) {
		return commandHelp(cmd, c, rest[1:], io)
	}
	if err := c.readTokenFile(*tokenFile); err != nil {
		return err
	}
	return cmd(c, rest[1:], io.err)
}

// asksHelp reports -h, -help or --help among a command's arguments
// (before any "--").
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// commandHelp runs a command asked for help with its usage going to
// stdout: every command checks its arguments (want, subcommand) before it
// calls the API, and a help flag fails that check, so the command prints
// its usage and calls nothing. A command that got past its checks all the
// same is a bug, and its result is never sent: its client has no address.
func commandHelp(cmd ctlCommand, c *ctlClient, args []string, io stdio) error {
	c.http = &http.Client{Transport: refuseAll{}}
	err := cmd(c, args, io.out)
	if errors.Is(err, errUsage) || errors.Is(err, errHelp) {
		return errHelp
	}
	return fmt.Errorf("ctl: a help flag reached the command: %v", err)
}

// ctlCommand runs one command with its own arguments; its usage goes to
// stderr (stdout when help is asked for).
type ctlCommand = func(c *ctlClient, args []string, stderr io.Writer) error

// ctlCommands are the commands by name.
var ctlCommands = map[string]ctlCommand{
	"status":   (*ctlClient).status,
	"rules":    (*ctlClient).rules,
	"fault":    (*ctlClient).fault,
	"faults":   (*ctlClient).fault,
	"reload":   (*ctlClient).reload,
	"config":   (*ctlClient).config,
	"requests": (*ctlClient).requests,
	"reset":    (*ctlClient).reset,
	"cache":    (*ctlClient).cache,
	"explain":  (*ctlClient).explain,
	"upgrade":  (*ctlClient).upgrade,
}

// readTokenFile takes the token from file, when one is named; the token
// given a second way would leave it unclear which one is meant.
func (c *ctlClient) readTokenFile(file string) error {
	if file == "" {
		return nil
	}
	if c.token != "" {
		return errors.New("ctl: the token is given twice: use --token (or $LLMSIM_ADMIN_TOKEN) or --token-file (or $LLMSIM_ADMIN_TOKEN_FILE), not both")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("ctl: token file: %w", err)
	}
	if c.token, err = config.TokenFromFile(data); err != nil {
		return fmt.Errorf("ctl: token file %s %w", file, err)
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// refuseAll is the transport of a ctl asked for help: it sends nothing.
type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("not sent: help was asked for")
}

// subcommand parses a command's own flags, printing its usage on error.
func subcommand(name, usage string, args []string, stderr io.Writer, define func(fs *flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: llm-simulator ctl %s\n", usage)
		fs.PrintDefaults()
	}
	if define != nil {
		define(fs)
	}
	// stderr is stdout when help was asked for (commandHelp).
	if err := parseArgs(fs, args, stdio{out: stderr, err: stderr}); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

// want checks a command's positional arguments; a help flag among them
// is a usage error, so that no command acts on it.
func want(args []string, n int, usage string, stderr io.Writer) error {
	if len(args) != n || asksHelp(args) {
		fmt.Fprintf(stderr, "usage: llm-simulator ctl %s\n", usage)
		return errUsage
	}
	return nil
}

// readArg is a literal argument, or a file's content for "@FILE" ("@-":
// standard input).
func readArg(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "@") {
		return []byte(s), nil
	}
	if s == "@-" {
		return io.ReadAll(os.Stdin)
	}
	data, err := os.ReadFile(s[1:])
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	return data, nil
}
