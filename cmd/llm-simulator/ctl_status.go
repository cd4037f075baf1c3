package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/proxy"
)

func (c *ctlClient) status(ctx context.Context, args []string, stderr io.Writer) error {
	if err := want(args, 0, "status", stderr); err != nil {
		return err
	}
	api := c.quiet()
	ready := "yes"
	if _, err := api.Ready(ctx); err != nil {
		var refused *admin.APIError
		if !errors.As(err, &refused) {
			return err
		}
		ready = "no: " + refused.Message
	}
	rules, err := api.Rules(ctx)
	if err != nil {
		return err
	}
	faults, ferr := api.Faults(ctx)
	cache, cerr := api.Cache(ctx)
	if cerr != nil {
		cache = &admin.CacheView{}
	}
	if c.json {
		return json.NewEncoder(c.out).Encode(newStatusSummary(ready == "yes", rules, faults, cache))
	}
	toggled := 0
	for _, r := range rules.Rules {
		if r.Toggled {
			toggled++
		}
	}
	fmt.Fprintf(c.out, "ready: %s\n", ready)
	fmt.Fprintf(c.out, "rules: %d from %s at %s, %d toggled at runtime; default action %s\n",
		len(rules.Rules), rules.Origin, rules.Loaded.Format("2006-01-02 15:04:05"), toggled, rules.DefaultAction)
	if ferr == nil {
		fmt.Fprintf(c.out, "temporary faults: %d\n", len(faults))
	}
	if cerr == nil {
		fmt.Fprintf(c.out, "cassettes: %d recordings in %s; %d hits, %d misses\n", cache.Stats.Recordings, cache.Dir, cache.Stats.Hits, cache.Stats.Misses)
	}
	return nil
}

func (c *ctlClient) explain(ctx context.Context, args []string, stderr io.Writer) error {
	const usage = "explain --url URL [--method POST] [--header K:V]... [--body JSON|@FILE]"
	req := admin.ExplainRequest{Headers: map[string]string{}}
	var body string
	rest, err := subcommand("explain", usage, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&req.URL, "url", "", "the request's `URL`: https://api.openai.com/v1/chat/completions, or a path as by base URL")
		fs.StringVar(&req.Method, "method", "POST", "the request's `method`")
		fs.StringVar(&body, "body", "", "the request body: `JSON`, or @FILE")
		fs.Func("header", "a request header, `K:V`; repeat for more", func(s string) error {
			k, v, ok := strings.Cut(s, ":")
			if !ok {
				return fmt.Errorf("want K:V, got %q", s)
			}
			req.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := want(rest, 0, usage, stderr); err != nil {
		return err
	}
	if req.URL == "" {
		fmt.Fprintf(stderr, "explain needs --url\nusage: llm-simulator ctl %s\n", usage)
		return errUsage
	}
	if body != "" {
		data, err := readArg(body)
		if err != nil {
			return err
		}
		req.SetBody(data)
	}
	v, err := c.api.Explain(ctx, &req)
	if err != nil || c.json {
		return err
	}
	c.printExplain(v)
	return nil
}

func (c *ctlClient) printExplain(v *proxy.Explanation) {
	fmt.Fprintf(c.out, "%s (dialect %s) %s (model %s, stream %v, scope %s)\n", v.Provider, orDash(v.Dialect), v.Path,
		orDash(v.Model), v.Stream, orDash(v.Scope))
	for _, r := range v.Rules {
		verdict := "does not match: " + r.Reason
		if r.Matched {
			verdict = "takes it"
		}
		fmt.Fprintf(c.out, "  rule %s %s\n", r.Rule, verdict)
	}
	taker := "no rule takes it: the default action"
	if v.Rule != "" {
		taker = "rule " + v.Rule
	}
	fmt.Fprintf(c.out, "%s: %s\n", taker, v.Action)
	for _, f := range v.Faults {
		fmt.Fprintf(c.out, "  fault %s from %s: %s\n", f.Kind, f.From, f.Gate)
	}
	if v.Upstream != "" {
		fmt.Fprintf(c.out, "upstream: %s\n", v.Upstream)
	}
	if cs := v.Cassette; cs != nil {
		switch {
		case cs.Why != "":
			fmt.Fprintf(c.out, "cassette %q: %s\n", cs.Name, cs.Why)
		case cs.Hit:
			fmt.Fprintf(c.out, "cassette %q: a recording matches\n", cs.Name)
		default:
			var nearest string
			var differences []string
			if cs.Miss != nil {
				nearest, differences = cs.Miss.Nearest, cs.Miss.Differences
			}
			fmt.Fprintf(c.out, "cassette %q: no recording matches; nearest %s: %s\n", cs.Name, orDash(nearest), strings.Join(differences, "; "))
		}
	}
}
