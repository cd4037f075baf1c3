package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

func (c *ctlClient) status(args []string, stderr io.Writer) error {
	if err := want(args, 0, "status", stderr); err != nil {
		return err
	}
	ready := "yes"
	if _, err := c.do("GET", "/readyz", nil, ""); err != nil {
		var ce *ctlError
		if !errors.As(err, &ce) {
			return err
		}
		ready = "no: " + ce.message
	}
	var rules ctlRules
	if _, err := c.getQuiet("/api/v1/rules", &rules); err != nil {
		return err
	}
	var faults struct {
		Faults []ctlFault `json:"faults"`
	}
	_, ferr := c.getQuiet("/api/v1/faults", &faults)
	var cache struct {
		Dir   string `json:"dir"`
		Stats struct {
			Recordings int    `json:"recordings"`
			Hits       uint64 `json:"hits"`
			Misses     uint64 `json:"misses"`
		} `json:"stats"`
	}
	_, cerr := c.getQuiet("/api/v1/cache", &cache)
	if c.json {
		return json.NewEncoder(c.out).Encode(map[string]any{"ready": ready == "yes", "rules": rules, "faults": faults.Faults, "cache": cache})
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
		fmt.Fprintf(c.out, "temporary faults: %d\n", len(faults.Faults))
	}
	if cerr == nil {
		fmt.Fprintf(c.out, "cassettes: %d recordings in %s; %d hits, %d misses\n", cache.Stats.Recordings, cache.Dir, cache.Stats.Hits, cache.Stats.Misses)
	}
	return nil
}

// getQuiet is get without --json's printing, for commands that combine
// several calls.
func (c *ctlClient) getQuiet(path string, v any) (bool, error) {
	data, err := c.do("GET", path, nil, "")
	if err != nil {
		return false, err
	}
	return false, json.Unmarshal(data, v)
}

type ctlExplain struct {
	Provider string `json:"provider"`
	Dialect  string `json:"dialect"`
	Path     string `json:"path"`
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Scope    string `json:"scope"`
	Rule     string `json:"rule"`
	Action   string `json:"action"`
	Rules    []struct {
		Rule    string `json:"rule"`
		Matched bool   `json:"matched"`
		Reason  string `json:"reason"`
	} `json:"rules"`
	Faults []struct {
		Kind string `json:"kind"`
		From string `json:"from"`
		Gate string `json:"gate"`
	} `json:"faults"`
	Upstream string `json:"upstream"`
	Cassette *struct {
		Name string          `json:"name"`
		Hit  bool            `json:"hit"`
		Miss json.RawMessage `json:"miss"`
		Why  string          `json:"why"`
	} `json:"cassette"`
}

func (c *ctlClient) explain(args []string, stderr io.Writer) error {
	const usage = "explain --url URL [--method POST] [--header K:V]... [--body JSON|@FILE]"
	req := map[string]any{}
	var method, target, body string
	headers := map[string]string{}
	rest, err := subcommand("explain", usage, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&target, "url", "", "the request's `URL`: https://api.openai.com/v1/chat/completions, or a path as by base URL")
		fs.StringVar(&method, "method", "POST", "the request's `method`")
		fs.StringVar(&body, "body", "", "the request body: `JSON`, or @FILE")
		fs.Func("header", "a request header, `K:V`; repeat for more", func(s string) error {
			k, v, ok := strings.Cut(s, ":")
			if !ok {
				return fmt.Errorf("want K:V, got %q", s)
			}
			headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := want(rest, 0, usage, stderr); err != nil {
		return err
	}
	if target == "" {
		fmt.Fprintf(stderr, "explain needs --url\nusage: llm-simulator ctl %s\n", usage)
		return errUsage
	}
	req["method"], req["url"], req["headers"] = method, target, headers
	if body != "" {
		data, err := readArg(body)
		if err != nil {
			return err
		}
		if json.Valid(data) {
			req["body"] = json.RawMessage(data)
		} else {
			req["body"] = string(data)
		}
	}
	payload, _ := json.Marshal(req)
	var v ctlExplain
	if printed, err := c.get("POST", "/api/v1/explain", payload, &v); err != nil || printed {
		return err
	}
	c.printExplain(&v)
	return nil
}

func (c *ctlClient) printExplain(v *ctlExplain) {
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
			var m struct {
				Nearest     string   `json:"nearest"`
				Differences []string `json:"differences"`
			}
			_ = json.Unmarshal(cs.Miss, &m)
			fmt.Fprintf(c.out, "cassette %q: no recording matches; nearest %s: %s\n", cs.Name, orDash(m.Nearest), strings.Join(m.Differences, "; "))
		}
	}
}
