#!/usr/bin/env bash
# Runs every native fuzz target in the module for a bounded time, one
# target per `go test` (Go fuzzes a single target at a time). Targets are
# found by grep, so a new `func FuzzX(f *testing.F)` is fuzzed without
# being listed here.
#
# Budget: FUZZTIME (default 3s) of fuzzing per target, plus a second or
# two each to link and replay the corpus: about 2 minutes for the 18
# targets on 2 cores (the first build of the instrumented test binaries
# adds a minute on a cold build cache). Interesting inputs are minimised
# for at most 2s, so one slow input cannot eat a target's whole turn.
#
# The inputs each run finds are Go's fuzz cache, outside the repository;
# it is emptied first, for this module only, so a run replays the seeds
# and testdata/fuzz and no more: a cache grown over many runs would
# otherwise take the fuzzing time to replay, and more every run.
#
# A failure leaves the input in the package's testdata/fuzz/FuzzX/: fix
# the bug and commit that file, which `go test` then replays as a seed.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}

module=$("$GO" list -m)
rm -rf "$("$GO" env GOCACHE)/fuzz/$module"

targets=$(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	sed -E 's#^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
n=0
start=$SECONDS
while read -r dir name; do
	if ! "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2s "./$dir" >"$log" 2>&1; then
		cat "$log"
		echo "fuzz: $name in ./$dir failed" >&2
		exit 1
	fi
	echo "fuzz: ./$dir $name: $(grep -o 'execs: [0-9]*' "$log" | tail -1)"
	n=$((n + 1))
done <<<"$targets"
echo "fuzz: $n targets fuzzed for $FUZZTIME each in $((SECONDS - start))s"
