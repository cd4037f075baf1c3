package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/llm-simulator/llm-simulator/admin"
)

// ctlClient runs ctl's commands: the admin API's client, and how what it
// answers is printed. With --json, api.Received prints each answer as
// the API sent it, and a command that got one prints nothing more;
// commands answered without a body (fault rm, reset, cache export) print
// their line all the same.
type ctlClient struct {
	api  *admin.Client
	json bool
	out  io.Writer
}

// print writes an answer as it came (--json).
func (c *ctlClient) print(body []byte) error {
	_, err := c.out.Write(body)
	return err
}

// quiet is the client without --json's printing, for a command that
// combines several answers.
func (c *ctlClient) quiet() *admin.Client {
	q := *c.api
	q.Received = nil
	return &q
}

func (c *ctlClient) table() *tabwriter.Writer { return tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0) }

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

// pairs renders a header map as "k=v,k=v", sorted: one word, so that a
// table column stays one.
func pairs(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return orDash(strings.Join(parts, ","))
}

// byJSONName is a view's fields by their JSON names, as decoded JSON
// holds them (numbers as float64): ctl lists some views field by field,
// sorted by name, and prints a match as JSON with its keys sorted.
func byJSONName(v any) map[string]any {
	var m map[string]any
	if data, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}
