package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

type ctlRecord struct {
	Time     time.Time         `json:"time"`
	Method   string            `json:"method"`
	Provider string            `json:"provider"`
	Dialect  string            `json:"dialect"`
	Path     string            `json:"path"`
	Model    string            `json:"model"`
	Scope    string            `json:"scope"`
	Rule     string            `json:"rule"`
	Source   string            `json:"source"`
	Faults   []string          `json:"faults"`
	Status   int               `json:"status"`
	Outcome  string            `json:"outcome"`
	TTFB     float64           `json:"ttfb_ms"`
	Duration float64           `json:"duration_ms"`
	ReqRetry map[string]string `json:"request_retry"`
	Advice   map[string]string `json:"response_retry"`
}

func (c *ctlClient) requests(args []string, stderr io.Writer) error {
	const usage = "requests [--scope S] [--rule R] [--since 30s|RFC3339] [--limit N]"
	var scope, rule, since string
	var limit int
	rest, err := subcommand("requests", usage, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&scope, "scope", "", "only this `scope`")
		fs.StringVar(&rule, "rule", "", "only requests this `rule` took")
		fs.StringVar(&since, "since", "", "only requests after this `time` or this long ago")
		fs.IntVar(&limit, "limit", 0, "only the last `N`")
	})
	if err != nil {
		return err
	}
	if err := want(rest, 0, usage, stderr); err != nil {
		return err
	}
	q := url.Values{}
	if flagGiven(args, "scope") {
		q.Set("scope", scope)
	}
	for k, v := range map[string]string{"rule": rule, "since": since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	var v struct {
		Requests []ctlRecord `json:"requests"`
	}
	if printed, err := c.get("GET", "/api/v1/requests?"+q.Encode(), nil, &v); err != nil || printed {
		return err
	}
	sortByArrival(v.Requests)
	t := c.table()
	fmt.Fprintln(t, "TIME\tPROVIDER\tMETHOD\tPATH\tMODEL\tSCOPE\tRULE\tSOURCE\tSTATUS\tOUTCOME\tFAULTS\tTTFB\tDURATION\tREQ-RETRY\tRESP-RETRY")
	for _, r := range v.Requests {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1fms\t%.1fms\t%s\t%s\n", r.Time.Format("15:04:05.000"),
			providerDialect(r.Provider, r.Dialect), r.Method, r.Path, orDash(r.Model), orDash(r.Scope), r.Rule, r.Source,
			statusText(r.Status), orDash(r.Outcome), orDash(strings.Join(r.Faults, ",")), r.TTFB, r.Duration, pairs(r.ReqRetry), pairs(r.Advice))
	}
	return t.Flush()
}

// sortByArrival puts the journal's records, which the API lists oldest
// first by when they finished, oldest first by when they arrived (the
// TIME column): a long stream that began first is listed first. Records
// that arrived at the same instant keep the API's order.
func sortByArrival(recs []ctlRecord) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
}

// providerDialect names a provider with its dialect when they differ:
// groq/openai, but openai.
func providerDialect(provider, dialect string) string {
	if dialect == "" || dialect == provider {
		return orDash(provider)
	}
	return provider + "/" + dialect
}

// statusText is a journal status as the table shows it: "-" for none
// sent.
func statusText(status int) string {
	if status == 0 {
		return "-"
	}
	return fmt.Sprint(status)
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

func (c *ctlClient) cache(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return c.cacheStats()
	}
	switch args[0] {
	case "stats":
		if err := want(args[1:], 0, "cache stats", stderr); err != nil {
			return err
		}
		return c.cacheStats()
	case "purge":
		var files bool
		rest, err := subcommand("cache purge", "cache purge [--recordings]", args[1:], stderr, func(fs *flag.FlagSet) {
			fs.BoolVar(&files, "recordings", false, "delete the recording files too")
		})
		if err != nil {
			return err
		}
		if err := want(rest, 0, "cache purge [--recordings]", stderr); err != nil {
			return err
		}
		path := "/api/v1/cache"
		if files {
			path += "?recordings=true"
		}
		var v struct {
			Deleted int `json:"deleted_files"`
		}
		if printed, err := c.get("DELETE", path, nil, &v); err != nil || printed {
			return err
		}
		fmt.Fprintf(c.out, "cache purged; %d recording files deleted\n", v.Deleted)
		return nil
	case "export":
		if err := want(args[1:], 1, "cache export FILE", stderr); err != nil {
			return err
		}
		return c.export(args[1])
	case "import":
		if err := want(args[1:], 1, "cache import FILE", stderr); err != nil {
			return err
		}
		return c.importFile(args[1])
	}
	fmt.Fprintln(stderr, "usage: llm-simulator ctl cache [stats | purge [--recordings] | export FILE | import FILE]")
	return errUsage
}

func (c *ctlClient) cacheStats() error {
	var v struct {
		Dir    string         `json:"dir"`
		Stats  map[string]any `json:"stats"`
		Misses []struct {
			At          time.Time `json:"at"`
			Method      string    `json:"method"`
			Path        string    `json:"path"`
			Nearest     string    `json:"nearest"`
			Differences []string  `json:"differences"`
		} `json:"recent_misses"`
	}
	if printed, err := c.get("GET", "/api/v1/cache", nil, &v); err != nil || printed {
		return err
	}
	fmt.Fprintf(c.out, "dir: %s\n", v.Dir)
	keys := make([]string, 0, len(v.Stats))
	for k := range v.Stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(c.out, "%s: %v\n", k, v.Stats[k])
	}
	for _, m := range v.Misses {
		fmt.Fprintf(c.out, "miss %s %s %s: nearest %s: %s\n", m.At.Format("15:04:05"), m.Method, m.Path, orDash(m.Nearest), strings.Join(m.Differences, "; "))
	}
	return nil
}

func (c *ctlClient) export(file string) error {
	data, err := c.do("GET", "/api/v1/cache/export", nil, "")
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "wrote %s (%d bytes)\n", file, len(data))
	return nil
}

func (c *ctlClient) importFile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := c.do("POST", "/api/v1/cache/import", f, "application/gzip")
	if err != nil {
		return err
	}
	if c.json {
		_, err := c.out.Write(data)
		return err
	}
	var v struct {
		Added   int `json:"added"`
		Skipped int `json:"skipped_existing"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "imported %d recordings (%d already there)\n", v.Added, v.Skipped)
	return nil
}
