#!/usr/bin/env bash
# Streams at scale: llm-simulator against bench/bare (the leanest net/http
# server, replaying the simulator's own stream at the same pace), in the
# same run, driven by bench/streamload. Prints one table: mode, streams,
# failures, server RSS per open stream, client-observed time to first
# event and gap between events (p50/p99), the p99 of non-streaming
# ("plain") requests sent meanwhile, the server's CPU time per event, and
# the ratio to bare; then the details behind each row.
#
#  1. Scale: SCALE_STREAMS streams held open at once, one event every
#     SCALE_ITL (100 tokens: no stream ends during the measurement). RSS
#     is read from /proc before the streams open and once they are all
#     open and have each sent a few events; per stream = delta / streams.
#     Then PROBE of non-streaming chat requests at a fixed low rate (hey,
#     PROBE_CONNS workers of PROBE_RATE a second) against the same
#     process; the same probe, run before the streams open, is the idle
#     figure printed under the table. The simulator runs twice: as users
#     run it (gc_percent 400), and with GOGC=100, which tells its live
#     memory from garbage not yet collected.
#  2. Timing: TIMING_STREAMS streams at once (a list runs each) with TTFT
#     100 ms and ITL 100 ms (50 tokens, 53 events), each worker asking for
#     the next stream on its connection as soon as one ends, for
#     TIMING_DURATION; the probe runs once all are open. ROUNDS rounds,
#     bare and simulator alternating; each side's histograms are pooled
#     over its rounds.
#
# The clients are CLIENTS streamload processes, each holding its share of
# the streams from its own two loopback source addresses (127.0.0.2 and
# up), so no process nears the 20,000-file limit and no address runs out
# of ephemeral ports. Servers, clients and hey share the machine's cores:
# only same-run ratios mean anything.
#
#   bench/scale.sh                                  # 18,000 and 10,000 streams
#   TIMING_STREAMS="10000 2000" bench/scale.sh      # timing at two concurrencies
#   SCALE_STREAMS=0 TIMING_STREAMS=2000 bench/scale.sh   # timing only (TIMING_STREAMS=0: scale only)
#   SCALE_STREAMS=400 TIMING_STREAMS=400 ROUNDS=1 bench/scale.sh   # a quick check
#   PROFILE_DIR=/tmp/prof bench/scale.sh            # and llm-simulator's heap, memory statistics and goroutines at scale
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE_STREAMS=${SCALE_STREAMS:-18000}
TIMING_STREAMS=${TIMING_STREAMS:-10000}
SCALE_ITL=${SCALE_ITL:-5s}
CLIENTS=${CLIENTS:-2}
RAMP=${RAMP:-2000}               # streams opened a second, all clients together
SETTLE=${SETTLE:-12}             # seconds between the last stream opening and the RSS reading
PROBE=${PROBE:-15s}
PROBE_CONNS=${PROBE_CONNS:-2}
PROBE_RATE=${PROBE_RATE:-50}     # per worker: 100 requests/s in all
TIMING_DURATION=${TIMING_DURATION:-30s}
ROUNDS=${ROUNDS:-2}
PROFILE_DIR=${PROFILE_DIR:-}
timing=(); for n in $TIMING_STREAMS; do if ((n > 0)); then timing+=("$n"); fi; done

# shellcheck source=bench/lib.sh
. bench/lib.sh
need hey jq
ulimit -n "$(ulimit -Hn)"
fds=$(ulimit -n)
for n in "$SCALE_STREAMS" "${timing[@]}"; do
  if ((n + 200 > fds || (n + CLIENTS - 1) / CLIENTS + 200 > fds)); then
    echo "$n streams need more than the $fds open files a process may have here: raise CLIENTS" >&2; exit 1
  fi
done

go build -o "$work/llm-simulator" ./cmd/llm-simulator
go build -o "$work/bare" ./bench/bare
go build -o "$work/streamload" ./bench/streamload

chat='{"model":"gpt-4o","messages":[{"role":"user","content":"Tell me a joke about proxies."}]}'
slow='{"model":"bench-slow","stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}'
paced='{"model":"bench-paced","stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}'
path=/v1/chat/completions

# start_sim sets $sim, $admin and $pid once the simulator is ready.
# Servers start in this shell, not a subshell, so the EXIT trap can stop
# them.
start_sim() {
  local log="$work/sim.$RANDOM.log"
  "$work/llm-simulator" --config bench/config-scale.yaml --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    >/dev/null 2>"$log" &
  pid=$!; pids+=($!)
  sim=$(wait_for "$log" 's/.*"listen":"\([^"]*\)".*/\1/p')
  admin=$(wait_for "$log" 's/.*"admin":"\([^"]*\)".*/\1/p')
}

# start_bare BODY-FILE HEADERS-FILE ARGS… sets $bare and $pid.
start_bare() {
  local out="$work/bare.$RANDOM"
  "$work/bare" -listen 127.0.0.1:0 -sse -body "$1" -headers "$2" -head 2 -tail 2 \
    -json "$work/chat.json" -json-headers "$work/chat.headers" "${@:3}" >"$out" 2>&1 &
  pid=$!; pids+=($!)
  bare=$(wait_for "$out" 's/^listening on //p')
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# The bare server replays the simulator's own bytes: each stream and the
# chat answer, captured from a simulator whose models answer at once.
SLOW_ITL=0s PACED_TTFT=0s PACED_ITL=0s start_sim
for s in slow paced; do
  curl -sf -D "$work/$s.headers" "http://$sim$path" -d "${!s}" >"$work/$s.txt"
done
curl -sf -D "$work/chat.headers" "http://$sim$path" -d "$chat" >"$work/chat.json"
stop "$pid"

# clients URL BODY STREAMS TAG ARGS… starts the streamload processes,
# their reports going to $work/TAG.K.json, their stderr to TAG.K.err.
clients() {
  local k per=$(($3 / CLIENTS)) extra=$(($3 % CLIENTS)) rate
  rate=$(awk -v r="$RAMP" -v c="$CLIENTS" 'BEGIN {print r / c}')
  cl_pids=()
  for ((k = 0; k < CLIENTS; k++)); do
    "$work/streamload" -url "$1" -body "$2" -c $((per + (k < extra))) -rate "$rate" -json -progress 0 \
      -src "127.0.0.$((2 + 2 * k)),127.0.0.$((3 + 2 * k))" "${@:5}" >"$work/$4.$k.json" 2>"$work/$4.$k.err" &
    cl_pids+=($!); pids+=($!)
  done
}

# all_open TAG STREAMS waits until every client has all its streams open,
# or says on stderr that some never opened.
all_open() {
  local k deadline=$((SECONDS + $2 / RAMP + 60))
  for ((k = 0; k < CLIENTS; k++)); do
    until grep -q 'all .* streams open' "$work/$1.$k.err"; do
      if ((SECONDS > deadline)); then echo "$1: client $k did not open all its streams" >&2; return; fi
      sleep 0.2
    done
  done
}

# merged TAG… prints the report of every client of the TAGs, added up.
merged() {
  local files=() t
  for t in "$@"; do files+=("$work/$t".*.json); done
  "$work/streamload" -merge -json "${files[@]}"
}

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }  # KiB
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }    # user and system CPU, clock ticks
# kernel prints the kernel's slab (KiB) and TCP buffer pages: what the
# sockets cost outside the processes, for both ends of every connection.
kernel() { echo "$(awk '/^Slab:/ {print $2}' /proc/meminfo) $(awk '/^TCP:/ {print $NF}' /proc/net/sockstat)"; }
hz=$(getconf CLK_TCK)

# probe URL prints "p50-ms p99-ms requests errors" of non-streaming chat
# requests at the fixed rate. The percentiles come from hey's per-request
# CSV (nearest rank), not its summary, which leaves out a percentile it
# has fewer than 100 samples for.
probe() {
  hey -z "$PROBE" -c "$PROBE_CONNS" -q "$PROBE_RATE" -m POST -T application/json -d "$chat" -o csv "$1" |
    awk -F, 'NR > 1 && $7 ~ /^2/ { print $1 * 1000 } NR > 1 && $7 !~ /^2/ { e++ } END { print "errors", e + 0 }' |
    sort -g | awk '$1 == "errors" { e = $2; next } { v[++n] = $1 }
      END { printf "%.2f %.2f %d %d\n", (n ? v[int(n * 0.50 + 0.999)] : 0), (n ? v[int(n * 0.99 + 0.999)] : 0), n, e }'
}

# ---- 1. scale ------------------------------------------------------------------
# scale NAME URL: the server $pid holds SCALE_STREAMS slow streams; writes
# $work/scale.NAME ("rss0 rss1 rss2 files" then the idle and busy probes)
# and the clients' reports.
scale() {
  local name=$1 url=$2 rss0 rss1 rss2 idle busy p k0
  idle=$(probe "$url") # also warms both servers' request paths up
  sleep 1
  rss0=$(rss "$pid") k0=$(kernel)
  clients "$url" "$slow" "$SCALE_STREAMS" "scale.$name"
  all_open "scale.$name" "$SCALE_STREAMS"
  sleep "$SETTLE"
  rss1=$(rss "$pid")
  echo "$k0 $(kernel)" >"$work/scale.$name.kernel"
  busy=$(probe "$url")
  rss2=$(rss "$pid")
  echo "$rss0 $rss1 $rss2 $(ls "/proc/$pid/fd" | wc -l) $idle $busy" >"$work/scale.$name"
  if [ "$name" != bare ] && [ -n "$PROFILE_DIR" ]; then
    # The heap profile is as of the last collection: force one. The
    # memory statistics before and after it tell live data from garbage.
    mkdir -p "$PROFILE_DIR"
    curl -sf "http://$admin/debug/pprof/heap?debug=1" | grep '^# [A-Z]' >"$PROFILE_DIR/$name.memstats"
    curl -sf "http://$admin/debug/pprof/heap?gc=1" >"$PROFILE_DIR/$name.heap.pb.gz"
    curl -sf "http://$admin/debug/pprof/heap?debug=1" | grep '^# [A-Z]' >"$PROFILE_DIR/$name.memstats.after-gc"
    curl -sf "http://$admin/debug/pprof/goroutine" >"$PROFILE_DIR/$name.goroutine.pb.gz"
    cp "$work/llm-simulator" "$PROFILE_DIR/"
  fi
  for p in "${cl_pids[@]}"; do kill -TERM "$p"; done
  for p in "${cl_pids[@]}"; do wait "$p" || true; done
  merged "scale.$name" >"$work/scale.$name.json"
  stop "$pid"
}

scaled=(); if ((SCALE_STREAMS > 0)); then scaled=(bare sim sim100); fi
if ((SCALE_STREAMS > 0)); then
  start_bare "$work/slow.txt" "$work/slow.headers" -gap "$SCALE_ITL"
  scale bare "http://$bare$path"
  SLOW_ITL=$SCALE_ITL start_sim
  scale sim "http://$sim$path"
  # The same binary collecting at Go's default pace rather than its own
  # default of gc_percent 400: how much of its RSS is garbage not yet
  # collected.
  GOGC=100 SLOW_ITL=$SCALE_ITL start_sim
  scale sim100 "http://$sim$path"
fi

# ---- 2. timing -----------------------------------------------------------------
if ((${#timing[@]} > 0)); then
  start_bare "$work/paced.txt" "$work/paced.headers" -first 100ms -gap 100ms
  declare -A url=([bare]="http://$bare$path") proc=([bare]=$pid)
  start_sim
  url[sim]="http://$sim$path" proc[sim]=$pid
  for n in "${timing[@]}"; do
    for ((r = 1; r <= ROUNDS; r++)); do
      for side in bare sim; do
        t0=$(ticks "${proc[$side]}")
        clients "${url[$side]}" "$paced" "$n" "timing.$n.$side.$r" -d "$TIMING_DURATION"
        all_open "timing.$n.$side.$r" "$n"
        probe "${url[$side]}" >"$work/timing.$n.$side.$r.probe"
        for p in "${cl_pids[@]}"; do wait "$p" || true; done
        echo $(($(ticks "${proc[$side]}") - t0)) >"$work/timing.$n.$side.$r.ticks"
      done
    done
    for side in bare sim; do
      merged $(for ((r = 1; r <= ROUNDS; r++)); do echo "timing.$n.$side.$r"; done) >"$work/timing.$n.$side.json"
      sort -k2 -g "$work"/timing."$n.$side".*.probe | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}' >"$work/timing.$n.$side.probe"
      cat "$work"/timing."$n.$side".*.ticks | awk '{t += $1} END {print t}' >"$work/timing.$n.$side.ticks"
    done
  done
fi

# ---- the table -----------------------------------------------------------------
printf '%-40s %7s %6s %10s %9s %9s %9s %9s %9s %9s  %s\n' mode streams failed RSS/stream \
  "TTFT p50" "TTFT p99" "gap p50" "gap p99" "plain p99" cpu/event "ratio to bare"
# row NAME STREAMS REPORT RSS-PER-STREAM PLAIN-P99 CPU-PER-EVENT RATIO
row() {
  jq -r --arg name "$1" --arg n "$2" --arg rss "$4" --arg probe "$5" --arg cpu "$6" --arg ratio "${7:-}" \
    '[$name, $n, .failed, $rss, .ttft.p50_ms, .ttft.p99_ms, .gap.p50_ms, .gap.p99_ms, $probe, $cpu, $ratio] | @tsv' "$3" |
    awk -F'\t' '{printf "%-40s %7s %6s %10s %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %9s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11}'
}
per_stream() { awk -v n="$SCALE_STREAMS" '{printf "%.1f", ($3 - $1) / n}' "$work/scale.$1"; } # KiB, after the probe
field() { awk -v f="$2" '{print $f}' "$work/$1"; }
q() { jq -r "$2" "$work/$1.json"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}'; }
# cpu_per_event TAG: the server's CPU time over the rounds, per event the clients received.
cpu_per_event() {
  awk -v t="$(cat "$work/$1.ticks")" -v e="$(q "$1" .events)" -v hz="$hz" 'BEGIN {printf "%.1fus", (e > 0 ? t / hz / e * 1e6 : 0)}'
}

for v in "${scaled[@]}"; do
  rs=$(per_stream $v)
  case $v in
  bare) rb=$rs; row "bare net/http, $SCALE_ITL ITL" "$SCALE_STREAMS" "$work/scale.bare.json" "${rb}KiB" "$(field scale.bare 10)" - ;;
  sim) row "llm-simulator, $SCALE_ITL ITL" "$SCALE_STREAMS" "$work/scale.sim.json" "${rs}KiB" "$(field scale.sim 10)" - "RSS $(ratio "$rs" "$rb")" ;;
  sim100) row "llm-simulator, GOGC=100, $SCALE_ITL ITL" "$SCALE_STREAMS" "$work/scale.sim100.json" "${rs}KiB" "$(field scale.sim100 10)" - "RSS $(ratio "$rs" "$rb")" ;;
  esac
done
for n in "${timing[@]}"; do
  row "bare net/http, TTFT/ITL 100ms" "$n" "$work/timing.$n.bare.json" "" "$(field "timing.$n.bare.probe" 2)" \
    "$(cpu_per_event "timing.$n.bare")"
  row "llm-simulator, TTFT/ITL 100ms" "$n" "$work/timing.$n.sim.json" "" "$(field "timing.$n.sim.probe" 2)" \
    "$(cpu_per_event "timing.$n.sim")" \
    "TTFT p99 $(ratio "$(q "timing.$n.sim" .ttft.p99_ms)" "$(q "timing.$n.bare" .ttft.p99_ms)"), gap p99 $(ratio "$(q "timing.$n.sim" .gap.p99_ms)" "$(q "timing.$n.bare" .gap.p99_ms)")"
done

echo
for side in "${scaled[@]}"; do
  read -r rss0 rss1 rss2 nfd ip50 ip99 in ie bp50 bp99 bn be <"$work/scale.$side"
  echo "scale, $side: RSS $((rss0 / 1024)) MiB idle, $((rss1 / 1024)) MiB with the streams open, $((rss2 / 1024)) MiB after the probe; $nfd open files;" \
    "plain requests idle p50/p99 $ip50/$ip99 ms ($in, $ie errors), with the streams $bp50/$bp99 ms ($bn, $be errors)"
  echo "  $("$work/streamload" -merge "$work/scale.$side".*.json | tr '\n' ' ')"
  read -r slab0 tcp0 slab1 tcp1 <"$work/scale.$side.kernel"
  echo "  kernel, both ends of the connections: slab +$(((slab1 - slab0) / 1024)) MiB, TCP buffers +$((tcp1 - tcp0)) pages"
done
for n in "${timing[@]}"; do
  for side in bare sim; do
    for ((r = 1; r <= ROUNDS; r++)); do
      t=timing.$n.$side.$r
      echo "timing, $side, round $r: $("$work/streamload" -merge "$work/$t".*.json | tr '\n' ' ')" \
        "server cpu $(awk -v t="$(cat "$work/$t.ticks")" -v hz="$hz" 'BEGIN {printf "%.1fs", t / hz}');" \
        "plain p50/p99 $(awk '{print $1 "/" $2 " ms (" $3 ", " $4 " errors)"}' "$work/$t.probe")"
    done
  done
done
echo "($(nproc) cores; $CLIENTS streamload processes, ramp $RAMP streams/s; plain: hey -c$PROBE_CONNS -q$PROBE_RATE -z$PROBE;" \
  "${timing[*]:+timing: $ROUNDS interleaved rounds of $TIMING_DURATION per side, pooled; cpu/event: server CPU time per event received; }$(go env GOVERSION); $(date -u +%F))"
