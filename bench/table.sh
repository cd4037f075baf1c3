#!/usr/bin/env bash
# The summary make bench prints: every mode of the performance targets in
# one table — throughput, p50, p99, errors, the server's peak RSS, the
# ratio to the baseline measured in the same run, and the target — from
# bench/run.sh (simulate, replay, 100 rules, fixed-rate latency),
# bench/forward.sh (forward, MITM) and BenchmarkOpenStreams (memory per
# open stream). Those scripts print their own detailed tables first.
# Streams at scale (18,000 open, timing at 10,000) are bench/scale.sh.
#
#   bench/table.sh                      # ROUNDS, DURATION, CONNS pass through
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_TABLE=$(mktemp)
export BENCH_TABLE
trap 'rm -f "$BENCH_TABLE"' EXIT

bench/run.sh
echo
bench/forward.sh
echo

# Memory per open stream, bare net/http beside the front in one process.
go test -run '^$' -bench 'OpenStreams' -benchtime 4x ./proxy | awk '
  /^BenchmarkOpenStreams\// {
    name = $1; sub(/^BenchmarkOpenStreams\//, "", name); sub(/-[0-9]+$/, "", name)
    for (i = 1; i <= NF; i++) if ($(i+1) == "B/stream") v[name] = $i
  }
  END {
    label["bare"] = "bare net/http, open chat stream"
    label["front"] = "llm-simulator, open chat stream"
    label["front-anthropic"] = "llm-simulator, open Messages stream"
    label["front-responses"] = "llm-simulator, open Responses stream"
    n = split("bare front front-anthropic front-responses", order, " ")
    for (k = 1; k <= n; k++) {
      m = order[k]; if (!(m in v)) continue
      ratio = (m == "bare" ? "" : sprintf("%.2fx", v[m] / v["bare"]))
      printf "%s (500, 5 s ITL)|%.1f KiB/stream|||||%s|%s\n", label[m], v[m] / 1024, ratio, (m == "bare" ? "" : "<= 1.2x")
    }
  }' >>"$BENCH_TABLE"

echo "## Summary ($(date -u +%F), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(go env GOVERSION), $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
echo
echo "| mode | throughput | p50 | p99 | errors | peak RSS | ratio | target |"
echo "|---|---:|---:|---:|---|---:|---|---|"
awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, ($5 == "" ? "-" : $5), $6, $7, $8 }' "$BENCH_TABLE"
