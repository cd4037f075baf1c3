package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func (c *ctlClient) table() *tabwriter.Writer { return tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0) }

type ctlRule struct {
	Name     string            `json:"name"`
	Enabled  bool              `json:"enabled"`
	Toggled  bool              `json:"toggled"`
	Action   string            `json:"action"`
	Faults   []string          `json:"faults"`
	Matched  uint64            `json:"matched"`
	Injected map[string]uint64 `json:"faults_fired"`
}

type ctlRules struct {
	Origin        string    `json:"origin"`
	Loaded        time.Time `json:"loaded"`
	DefaultAction string    `json:"default_action"`
	Rules         []ctlRule `json:"rules"`
}

func (c *ctlClient) rules(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return c.listRules("GET", "/api/v1/rules", nil)
	}
	switch args[0] {
	case "ls":
		if err := want(args[1:], 0, "rules ls", stderr); err != nil {
			return err
		}
		return c.listRules("GET", "/api/v1/rules", nil)
	case "enable", "disable":
		if err := want(args[1:], 1, "rules "+args[0]+" NAME", stderr); err != nil {
			return err
		}
		var r ctlRule
		if printed, err := c.get("POST", "/api/v1/rules/"+url.PathEscape(args[1])+"/"+args[0], nil, &r); err != nil || printed {
			return err
		}
		fmt.Fprintf(c.out, "rule %s: %s\n", r.Name, onOff(r.Enabled))
		return nil
	case "put":
		if err := want(args[1:], 1, "rules put FILE", stderr); err != nil {
			return err
		}
		body, err := readArg("@" + args[1])
		if err != nil {
			return err
		}
		return c.listRules("PUT", "/api/v1/rules", body)
	}
	fmt.Fprintln(stderr, "usage: llm-simulator ctl rules [ls | enable NAME | disable NAME | put FILE]")
	return errUsage
}

func (c *ctlClient) listRules(method, path string, body []byte) error {
	var v ctlRules
	if printed, err := c.get(method, path, body, &v); err != nil || printed {
		return err
	}
	fmt.Fprintf(c.out, "from %s at %s; default action %s\n", v.Origin, v.Loaded.Format(time.RFC3339), v.DefaultAction)
	t := c.table()
	fmt.Fprintln(t, "NAME\tSTATE\tACTION\tFAULTS\tMATCHED\tFIRED")
	for _, r := range v.Rules {
		state := onOff(r.Enabled)
		if r.Toggled {
			state += " (toggled)"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%d\t%s\n", r.Name, state, r.Action, orDash(strings.Join(r.Faults, ",")), r.Matched, counts(r.Injected))
	}
	return t.Flush()
}

func onOff(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// counts renders {kind: n} as "error=3 latency=1", sorted.
func counts(m map[string]uint64) string {
	var parts []string
	for k, n := range m {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
	}
	sort.Strings(parts)
	return orDash(strings.Join(parts, " "))
}

func (c *ctlClient) reload(args []string, stderr io.Writer) error {
	if err := want(args, 0, "reload", stderr); err != nil {
		return err
	}
	return c.listRules("POST", "/api/v1/reload", nil)
}

func (c *ctlClient) config(args []string, stderr io.Writer) error {
	if err := want(args, 0, "config", stderr); err != nil {
		return err
	}
	data, err := c.do("GET", "/api/v1/config", nil, "")
	if err != nil {
		return err
	}
	_, err = c.out.Write(data)
	return err
}

func (c *ctlClient) reset(args []string, stderr io.Writer) error {
	var scope string
	var all bool
	rest, err := subcommand("reset", "reset [--scope S]", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&scope, "scope", "", "forget only this `scope`'s state")
	})
	if err != nil {
		return err
	}
	if err := want(rest, 0, "reset [--scope S]", stderr); err != nil {
		return err
	}
	path := "/api/v1/reset"
	all = !flagGiven(args, "scope")
	if !all {
		path += "?scope=" + url.QueryEscape(scope)
	}
	if _, err := c.do("POST", path, nil, ""); err != nil {
		return err
	}
	if all {
		fmt.Fprintln(c.out, "reset every scope")
	} else {
		fmt.Fprintf(c.out, "reset scope %q\n", scope)
	}
	return nil
}

// flagGiven reports whether a flag appears on the command line, even set
// to "" (an empty scope is a scope).
func flagGiven(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}
