package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/llm-simulator/llm-simulator/rules"
)

const ctlUsage = `usage: llm-simulator ctl [--addr ADDR] [--token TOKEN | --token-file FILE] [--json] COMMAND

The admin API's client. ADDR, TOKEN and FILE default to $LLMSIM_ADMIN_ADDR
(else 127.0.0.1:9090), $LLMSIM_ADMIN_TOKEN and $LLMSIM_ADMIN_TOKEN_FILE
(the file holding the token, as admin.token_file does).

commands:
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
                                      the request journal
  reset [--scope S]                   forget the state of one scope, or of all
  cache [stats]                       cassette counters and recent misses
  cache purge [--recordings]          empty the body cache (and delete the recordings)
  cache export FILE | cache import FILE
                                      the cassettes as one .tar.gz
  explain --url URL [--method M] [--header K:V]... [--body JSON|@FILE]
                                      which rule takes a request, why, and what replays
`

// ctl runs one admin command against a running process.
func ctl(args []string, io stdio) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, ctlUsage) }
	c := &ctlClient{out: io.out}
	fs.StringVar(&c.addr, "addr", envOr("LLMSIM_ADMIN_ADDR", "127.0.0.1:9090"), "admin `address` or URL")
	fs.StringVar(&c.token, "token", os.Getenv("LLMSIM_ADMIN_TOKEN"), "admin `token`")
	tokenFile := fs.String("token-file", os.Getenv("LLMSIM_ADMIN_TOKEN_FILE"), "`file` holding the admin token")
	fs.BoolVar(&c.json, "json", false, "print the API's JSON instead of tables")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := c.readTokenFile(*tokenFile); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return errUsage
	}
	cmd, ok := ctlCommands[rest[0]]
	if !ok {
		fmt.Fprintf(io.err, "ctl: unknown command %q\n\n", rest[0])
		fs.Usage()
		return errUsage
	}
	return cmd(c, rest[1:], io.err)
}

// ctlCommands are the commands by name; each gets its own arguments.
var ctlCommands = map[string]func(c *ctlClient, args []string, stderr io.Writer) error{
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
	if c.token, err = rules.TokenFromFile(data); err != nil {
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

// subcommand parses a command's own flags, printing its usage on error.
func subcommand(name, usage string, args []string, stderr io.Writer, define func(fs *flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: llm-simulator ctl %s\n", usage)
		fs.PrintDefaults()
	}
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	return fs.Args(), nil
}

// want checks a command's positional arguments.
func want(args []string, n int, usage string, stderr io.Writer) error {
	if len(args) != n {
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
