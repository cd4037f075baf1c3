package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
)

func (c *ctlClient) rules(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return c.listRules(c.api.Rules(ctx))
	}
	switch args[0] {
	case "ls":
		if err := want(args[1:], 0, "rules ls", stderr); err != nil {
			return err
		}
		return c.listRules(c.api.Rules(ctx))
	case "enable", "disable":
		if err := want(args[1:], 1, "rules "+args[0]+" NAME", stderr); err != nil {
			return err
		}
		r, err := c.api.SetRuleEnabled(ctx, args[1], args[0] == "enable")
		if err != nil || c.json {
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
		return c.listRules(c.api.PutRules(ctx, body))
	}
	fmt.Fprintln(stderr, "usage: llm-simulator ctl rules [ls | enable NAME | disable NAME | put FILE]")
	return errUsage
}

// listRules prints the rule set an API call answered, as a table.
func (c *ctlClient) listRules(v *admin.RulesView, err error) error {
	if err != nil || c.json {
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

func (c *ctlClient) reload(ctx context.Context, args []string, stderr io.Writer) error {
	if err := want(args, 0, "reload", stderr); err != nil {
		return err
	}
	return c.listRules(c.api.Reload(ctx))
}

func (c *ctlClient) config(ctx context.Context, args []string, stderr io.Writer) error {
	if err := want(args, 0, "config", stderr); err != nil {
		return err
	}
	data, err := c.api.Config(ctx)
	if err != nil || c.json {
		return err
	}
	return c.print(data)
}

func (c *ctlClient) reset(ctx context.Context, args []string, stderr io.Writer) error {
	var scope string
	rest, err := subcommand("reset", "reset [--scope S]", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&scope, "scope", "", "forget only this `scope`'s state")
	})
	if err != nil {
		return err
	}
	if err := want(rest, 0, "reset [--scope S]", stderr); err != nil {
		return err
	}
	one := givenScope(args, scope)
	if err := c.api.Reset(ctx, one); err != nil {
		return err
	}
	if one == nil {
		fmt.Fprintln(c.out, "reset every scope")
	} else {
		fmt.Fprintf(c.out, "reset scope %q\n", scope)
	}
	return nil
}

// givenScope is &scope when --scope is on the command line, even set to
// "" (an empty scope is a scope), and nil when it is not.
func givenScope(args []string, scope string) *string {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == "scope" || strings.HasPrefix(a, "scope=") {
			return &scope
		}
	}
	return nil
}
