package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
)

func (c *ctlClient) requests(ctx context.Context, args []string, stderr io.Writer) error {
	const usage = "requests [--scope S] [--rule R] [--since 30s|RFC3339] [--limit N]"
	var scope string
	var q admin.RequestsQuery
	rest, err := subcommand("requests", usage, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&scope, "scope", "", "only this `scope`")
		fs.StringVar(&q.Rule, "rule", "", "only requests this `rule` took")
		fs.StringVar(&q.Since, "since", "", "only requests after this `time` or this long ago")
		fs.IntVar(&q.Limit, "limit", 0, "only the last `N`")
	})
	if err != nil {
		return err
	}
	if err := want(rest, 0, usage, stderr); err != nil {
		return err
	}
	q.Scope = givenScope(args, scope)
	recs, err := c.api.Requests(ctx, q)
	if err != nil || c.json {
		return err
	}
	sortByArrival(recs)
	t := c.table()
	fmt.Fprintln(t, "TIME\tPROVIDER\tMETHOD\tPATH\tMODEL\tSCOPE\tRULE\tSOURCE\tSTATUS\tOUTCOME\tFAULTS\tTTFB\tDURATION\tREQ-RETRY\tRESP-RETRY")
	for _, r := range recs {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1fms\t%.1fms\t%s\t%s\n", r.Time.Format("15:04:05.000"),
			providerDialect(r.Provider, r.Dialect), r.Method, r.Path, orDash(r.Model), orDash(r.Scope), r.Rule, r.Source,
			statusText(r.Status), orDash(r.Outcome), orDash(strings.Join(r.Faults, ",")), millis(r.TTFB), millis(r.Duration),
			pairs(r.RequestRetry), pairs(r.ResponseRetry))
	}
	return t.Flush()
}

// millis is d in milliseconds, as the journal's JSON gives it.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// sortByArrival puts the journal's records, which the API lists oldest
// first by when they finished, oldest first by when they arrived (the
// TIME column): a long stream that began first is listed first. Records
// that arrived at the same instant keep the API's order.
func sortByArrival(recs []telemetry.Record) {
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

func (c *ctlClient) cache(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return c.cacheStats(ctx)
	}
	switch args[0] {
	case "stats":
		if err := want(args[1:], 0, "cache stats", stderr); err != nil {
			return err
		}
		return c.cacheStats(ctx)
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
		v, err := c.api.PurgeCache(ctx, files)
		if err != nil || c.json {
			return err
		}
		fmt.Fprintf(c.out, "cache purged; %d recording files deleted\n", v.DeletedFiles)
		return nil
	case "export":
		if err := want(args[1:], 1, "cache export FILE", stderr); err != nil {
			return err
		}
		return c.export(ctx, args[1])
	case "import":
		if err := want(args[1:], 1, "cache import FILE", stderr); err != nil {
			return err
		}
		return c.importFile(ctx, args[1])
	}
	fmt.Fprintln(stderr, "usage: llm-simulator ctl cache [stats | purge [--recordings] | export FILE | import FILE]")
	return errUsage
}

func (c *ctlClient) cacheStats(ctx context.Context) error {
	v, err := c.api.Cache(ctx)
	if err != nil || c.json {
		return err
	}
	fmt.Fprintf(c.out, "dir: %s\n", v.Dir)
	stats := byJSONName(v.Stats)
	names := make([]string, 0, len(stats))
	for k := range stats {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(c.out, "%s: %v\n", k, stats[k])
	}
	for _, m := range v.Misses {
		fmt.Fprintf(c.out, "miss %s %s %s: nearest %s: %s\n", m.At.Format("15:04:05"), m.Method, m.Path, orDash(m.Nearest), strings.Join(m.Differences, "; "))
	}
	return nil
}

// export writes the archive once it has all come: a failed export leaves
// no file, not a short one.
func (c *ctlClient) export(ctx context.Context, file string) error {
	var archive bytes.Buffer
	if _, err := c.api.ExportCassettes(ctx, &archive); err != nil {
		return err
	}
	if err := os.WriteFile(file, archive.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "wrote %s (%d bytes)\n", file, archive.Len())
	return nil
}

func (c *ctlClient) importFile(ctx context.Context, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	v, err := c.api.ImportCassettes(ctx, f)
	if err != nil || c.json {
		return err
	}
	fmt.Fprintf(c.out, "imported %d recordings (%d already there)\n", v.Added, v.SkippedExisting)
	return nil
}
