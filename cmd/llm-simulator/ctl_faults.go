package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

const faultAddUsage = `fault add [--match KEY=VALUE]... [--scope S] [--ttl 5m]
      (--error STATUS [--retry-after D] | --latency D | --fault JSON) [--probability P]`

// faultFlags build one temporary fault from the command line.
type faultFlags struct {
	match       []string
	scope, ttl  string
	status      int
	retryAfter  string
	latency     string
	raw         string
	probability float64
}

func (f *faultFlags) define(fs *flag.FlagSet) {
	fs.Func("match", "a `KEY=VALUE` predicate, as in a rule's match (model=gpt-4o*, path=/v1/chat/completions, header.x-test=a, provider=openai); repeat for more", func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("want KEY=VALUE, got %q", s)
		}
		f.match = append(f.match, s)
		return nil
	})
	fs.StringVar(&f.scope, "scope", "", "limit the fault to requests with x-llmsim-scope: `S`")
	fs.StringVar(&f.ttl, "ttl", "5m", "how long the fault lasts (`duration`)")
	fs.IntVar(&f.status, "error", 0, "answer with the provider's error for this HTTP `status`")
	fs.StringVar(&f.retryAfter, "retry-after", "", "with --error: a retry-after `duration`")
	fs.StringVar(&f.latency, "latency", "", "delay the response by this `duration`")
	fs.StringVar(&f.raw, "fault", "", "a fault as the config writes it, in `JSON`, e.g. '{\"stream\":{\"truncate_after_events\":3}}'")
	fs.Float64Var(&f.probability, "probability", 0, "fire with this `probability` (default always)")
}

// body is the POST /api/v1/faults request.
func (f *faultFlags) body() ([]byte, error) {
	match := map[string]any{}
	headers := map[string]string{}
	for _, m := range f.match {
		k, v, _ := strings.Cut(m, "=")
		if name, ok := strings.CutPrefix(k, "header."); ok {
			headers[name] = v
			continue
		}
		match[k] = v
	}
	if len(headers) > 0 {
		match["headers"] = headers
	}
	fault, err := f.fault()
	if err != nil {
		return nil, err
	}
	req := map[string]any{"match": match, "faults": []any{fault}, "ttl": f.ttl}
	if f.scope != "" {
		req["scope"] = f.scope
	}
	return json.Marshal(req)
}

// fault is the one fault the flags name.
func (f *faultFlags) fault() (map[string]any, error) {
	var spec map[string]any
	var kinds int
	if f.raw != "" {
		kinds++
		if err := json.Unmarshal([]byte(f.raw), &spec); err != nil {
			return nil, fmt.Errorf("--fault: %v", err)
		}
	}
	if f.status != 0 {
		kinds++
		e := map[string]any{"status": f.status}
		if f.retryAfter != "" {
			e["retry_after"] = f.retryAfter
		}
		spec = map[string]any{"error": e}
	}
	if f.latency != "" {
		kinds++
		spec = map[string]any{"latency": map[string]any{"dist": "constant", "value": f.latency}}
	}
	if kinds != 1 {
		return nil, fmt.Errorf("give exactly one of --error, --latency, --fault")
	}
	if f.probability > 0 {
		for _, v := range spec {
			if m, ok := v.(map[string]any); ok {
				m["probability"] = f.probability
			}
		}
	}
	return spec, nil
}

func (c *ctlClient) fault(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return c.listFaults(ctx)
	}
	switch args[0] {
	case "ls":
		if err := want(args[1:], 0, "fault ls", stderr); err != nil {
			return err
		}
		return c.listFaults(ctx)
	case "add":
		var f faultFlags
		rest, err := subcommand("fault add", faultAddUsage, args[1:], stderr, f.define)
		if err != nil {
			return err
		}
		if err := want(rest, 0, faultAddUsage, stderr); err != nil {
			return err
		}
		body, err := f.body()
		if err != nil {
			return err
		}
		added, err := c.api.AddFault(ctx, body)
		if err != nil || c.json {
			return err
		}
		fmt.Fprintf(c.out, "added %s (expires %s)\n", added.ID, added.Expires.Format(time.RFC3339Nano))
		return nil
	case "rm":
		if err := want(args[1:], 1, "fault rm ID", stderr); err != nil {
			return err
		}
		if err := c.api.RemoveFault(ctx, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "removed %s\n", args[1])
		return nil
	}
	fmt.Fprintln(stderr, "usage: llm-simulator ctl fault [ls | add … | rm ID]")
	return errUsage
}

func (c *ctlClient) listFaults(ctx context.Context) error {
	list, err := c.api.Faults(ctx)
	if err != nil || c.json {
		return err
	}
	t := c.table()
	fmt.Fprintln(t, "ID\tSCOPE\tTTL LEFT\tFAULTS\tMATCH")
	for _, f := range list {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", f.ID, orDash(f.Scope), f.Left.Round(100*time.Millisecond), compactEach(f.Faults), sortedJSON(f.Match))
	}
	return t.Flush()
}

// compactEach is a JSON list's members, each on one line, spaced.
func compactEach(list json.RawMessage) string {
	var members []json.RawMessage
	_ = json.Unmarshal(list, &members)
	var out []string
	for _, raw := range members {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			out = append(out, b.String())
		}
	}
	return strings.Join(out, " ")
}

// sortedJSON is v's JSON with every object's keys sorted.
func sortedJSON(v any) []byte {
	data, _ := json.Marshal(byJSONName(v))
	return data
}
