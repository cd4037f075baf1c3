#!/usr/bin/env bash
# Load benchmark: llm-simulator against a bare net/http server answering
# the same bytes (body and headers, captured from the simulator), driven by
# wrk in the same run, so the ratio is fair on a
# shared machine. Prints one table: mode, RPS (and events/s for streams),
# p50, p99, errors, and the ratio to the baseline, as medians of
# interleaved rounds.
#
#   bench/run.sh                        # 5 rounds of 5 s per side, 64 connections
#   ROUNDS=9 DURATION=10s CONNS=128 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-5}
RATE=${RATE:-150} # per connection, for the fixed-rate latency rows

# shellcheck source=bench/lib.sh
. bench/lib.sh
need wrk hey

go build -o "$work/llm-simulator" ./cmd/llm-simulator
go build -o "$work/bare" ./bench/bare

# start_sim runs the binary as users run it and sets $sim to its proxy
# address once it logs its ready line. Servers are started in this shell,
# not a subshell, so the EXIT trap can stop them.
start_sim() { # [CONFIG]
  local log="$work/sim.$RANDOM.log"
  "$work/llm-simulator" --config "${1:-bench/config.yaml}" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    >/dev/null 2>"$log" &
  sim_log=$log
  pids+=($!)
  sim=$(wait_for "$log" 's/.*"listen":"\([^"]*\)".*/\1/p')
}

# start_bare BODY ARGS… sets $bare to the address of a baseline server.
start_bare() {
  local out="$work/bare.$RANDOM"
  "$work/bare" -listen 127.0.0.1:0 -body "$1" "${@:2}" >"$out" 2>&1 &
  pids+=($!)
  bare=$(wait_for "$out" 's/^listening on //p')
}

start_sim bench/config-fault.yaml; sim_rule=$sim
start_sim
chat='{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}'
stream='{"model":"bench-stream","stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}'
curl -s -D "$work/chat.headers" "http://$sim/v1/chat/completions" -d "$chat" >"$work/chat.json"
curl -s -D "$work/stream.headers" "http://$sim/v1/chat/completions" -d "$stream" >"$work/stream.txt"
events=$(grep -c '^data: ' "$work/stream.txt")
# The replaying simulator records each request from the simulating one on
# its first call, then replays it.
BENCH_UPSTREAM="http://$sim" BENCH_CASSETTES="$work/cassettes" start_sim bench/config-replay.yaml; sim_replay=$sim
for body in "$chat" "$stream"; do
  curl -s -o /dev/null "http://$sim_replay/v1/chat/completions" -d "$body"
done
recorded=$(find "$work/cassettes" -name '*.json' | wc -l)
[ "$recorded" -eq 2 ] || { echo "replay: $recorded recordings, want 2" >&2; cat "$sim_log" >&2; exit 1; }
start_bare "$work/chat.json" -headers "$work/chat.headers"; bare_chat=$bare
start_bare "$work/stream.txt" -headers "$work/stream.headers" -sse; bare_stream=$bare

# Each pair is measured ROUNDS times, alternating baseline and simulator,
# and the medians are reported: on a shared machine a single run can be
# off by half, but interleaving makes the noise hit both sides alike.

# pair NAME URL_BASE URL_SIM SCRIPT → prints two rows (baseline, simulator)
pair() {
  local name=$1 base=$2 simurl=$3 script=$4
  : >"$work/b" ; : >"$work/s"
  for _ in $(seq "$ROUNDS"); do
    measure "$base" "$script" >>"$work/b"
    measure "$simurl" "$script" >>"$work/s"
  done
  local col
  for side in b s; do
    for col in 1 2 3; do
      awk -v c=$col '{print $c}' "$work/$side" | ms | median >"$work/$side.$col"
    done
  done
  b_rps=$(cat "$work/b.1"); s_rps=$(cat "$work/s.1")
  # The ratio is taken round by round (each pair ran back to back), then
  # its median: steadier than the ratio of the medians.
  ratio=$(paste -d' ' <(awk '{print $1}' "$work/s") <(awk '{print $1}' "$work/b") | awk '{print $1/$2}' | median)
  errs_b=$(awk '{ $1=$2=$3=""; print }' "$work/b" | sort -u | tr '\n' ' ')
  errs_s=$(awk '{ $1=$2=$3=""; print }' "$work/s" | sort -u | tr '\n' ' ')
  row "${pair_labels[0]}, $name" "$b_rps" "$(cat "$work/b.2")ms" "$(cat "$work/b.3")ms" "$errs_b"
  row "${pair_labels[1]}, $name" "$s_rps" "$(cat "$work/s.2")ms" "$(cat "$work/s.3")ms" "$errs_s" "$ratio"
}

pair_labels=("bare net/http" "llm-simulator")
printf '%-40s %12s %10s %10s  %s\n' mode "RPS" p50 p99 errors
row() { # name rps p50 p99 errs [ratio]
  local r=""
  [ -n "${6:-}" ] && r=$(awk -v x="$6" 'BEGIN {printf "(ratio %.2fx)", x}')
  printf '%-40s %12.0f %10s %10s  %s %s\n' "$1" "$2" "$3" "$4" "$5" "$r"
}
pair "chat JSON" "http://$bare_chat/" "http://$sim/v1/chat/completions" "$(lua "$chat")"
pair "stream ($events ev)" "http://$bare_stream/" "http://$sim/v1/chat/completions" "$(lua "$stream")"
awk -v a="$s_rps" -v b="$b_rps" -v e="$events" -v r="$ratio" 'BEGIN {printf "events/s (median): llm-simulator %.0f, bare %.0f, ratio %.2fx\n", a*e, b*e, r}'

# The rule and fault machinery: the same binary with a rule that takes
# every request and fires a zero latency, against no rules at all.
pair_labels=("llm-simulator, no rules" "llm-simulator, rule + fault")
pair "chat JSON" "http://$sim/v1/chat/completions" "http://$sim_rule/v1/chat/completions" "$(lua "$chat")"

# Replay hits against simulated answers of the same requests.
pair_labels=("llm-simulator, simulate" "llm-simulator, replay hit")
pair "chat JSON" "http://$sim/v1/chat/completions" "http://$sim_replay/v1/chat/completions" "$(lua "$chat")"
pair "stream ($events ev)" "http://$sim/v1/chat/completions" "http://$sim_replay/v1/chat/completions" "$(lua "$stream")"

# Latency at a fixed rate below saturation: a saturated closed-loop
# generator measures its own queueing, not the server's tail.
latency() { # URL → "p50ms p99ms rps"
  hey -z "$DURATION" -c "$CONNS" -q "$RATE" -m POST -T application/json -d "$chat" "$1" |
    awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$3*1000} $1=="99%" {p99=$3*1000} END {printf "%.2f %.2f %.0f\n", p50, p99, r}'
}
: >"$work/lb"; : >"$work/ls"
for _ in $(seq "$ROUNDS"); do
  latency "http://$bare_chat/" >>"$work/lb"
  latency "http://$sim/v1/chat/completions" >>"$work/ls"
done
for side in lb ls; do
  for col in 1 2 3; do awk -v c=$col '{print $c}' "$work/$side" | median >"$work/$side.$col"; done
done
printf '%-40s %12.0f %8.2fms %8.2fms\n' "bare net/http, chat @ fixed rate" "$(cat "$work/lb.3")" "$(cat "$work/lb.1")" "$(cat "$work/lb.2")"
printf '%-40s %12.0f %8.2fms %8.2fms  (p99 ratio %.2fx)\n' "llm-simulator, chat @ fixed rate" "$(cat "$work/ls.3")" "$(cat "$work/ls.1")" "$(cat "$work/ls.2")" \
  "$(awk -v a="$(cat "$work/ls.2")" -v b="$(cat "$work/lb.2")" 'BEGIN {print a/b}')"
echo "($(nproc) cores; wrk -t$THREADS -c$CONNS -d$DURATION; fixed rate: hey -c$CONNS -q$RATE; $ROUNDS interleaved rounds, medians; $(date -u +%F))"
