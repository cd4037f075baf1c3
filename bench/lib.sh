# Shell helpers shared by the load benchmarks (bench/run.sh,
# bench/forward.sh); sourced, not run. Sourcing it makes $work, a
# temporary directory, and an EXIT trap that stops every process whose id
# was added to pids and removes $work.

# need installs the load generators that are missing, from the
# distribution's packages.
need() { # TOOL…
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "installing $tool…" >&2
      (apt-get update -qq && apt-get install -y -qq "$tool") >/dev/null 2>&1 ||
        sudo sh -c "apt-get update -qq && apt-get install -y -qq $tool" >/dev/null
    fi
  done
}

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# wait_for FILE SED-EXPR prints the first match once the file has one.
wait_for() {
  for _ in $(seq 400); do
    local v
    v=$(sed -n "$2" "$1" 2>/dev/null | head -1)
    [ -n "$v" ] && { echo "$v"; return; }
    sleep 0.05
  done
  echo "a server did not start:" >&2; cat "$1" >&2; exit 1
}

lua() { # body → a wrk script posting it
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$1]]
LUA
  echo "$work/post.lua"
}

# measure URL SCRIPT → "rps p50 p99 errors": one wrk run of $DURATION
# with $CONNS connections; errors is wrk's own lines, or 0.
measure() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$2" "$1")
  local rps p50 p99 errs
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {s=s $0 "; "} END {print (s=="" ? "0" : s)}' <<<"$out")
  echo "$rps $p50 $p99 $errs"
}

# median of the numbers on stdin, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# ms turns wrk's latencies (850.12us, 1.20ms, 1.02s) into milliseconds.
ms() { awk '{v=$1; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; print v}'; }

# peak_rss PID is the process's peak resident memory so far (VmHWM), in
# MiB; "-" without a process.
peak_rss() {
  if [ -n "${1:-}" ] && [ -r "/proc/$1/status" ]; then
    awk '/^VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"
  else
    echo -
  fi
}

# table_row MODE THROUGHPUT P50 P99 ERRORS PID RATIO TARGET adds a row to
# the summary table make bench prints (bench/table.sh), when $BENCH_TABLE
# names its file; PID's peak RSS fills the RSS column.
table_row() {
  [ -n "${BENCH_TABLE:-}" ] || return 0
  printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" "$5" "$(peak_rss "${6:-}")" "${7:-}" "${8:-}" >>"$BENCH_TABLE"
}
