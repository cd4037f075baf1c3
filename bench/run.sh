#!/usr/bin/env bash
# Load benchmark: llm-simulator against a bare net/http server answering
# the same bytes (body and headers, captured from the simulator), driven by
# wrk in the same run, so the ratio is fair on a shared machine; then 100
# rules (the last firing a zero latency) against none, replay hits against
# simulated answers, and chat latency at a fixed rate (hey -q). Prints one
# table: mode, RPS (and events/s for streams), p50, p99, errors, and the
# ratio to the baseline, as medians of interleaved rounds; with
# $BENCH_TABLE set it also adds its rows to make bench's summary
# (bench/table.sh).
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
WARMUP=${WARMUP:-2s} # per side before each pair's rounds

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
  pids+=($!); sim_pid=$!
  sim=$(wait_for "$log" 's/.*"listen":"\([^"]*\)".*/\1/p')
  sim_admin=$(wait_for "$log" 's/.*"admin":"\([^"]*\)".*/\1/p')
}

# put_rules ADMIN FILE replaces a running simulator's rules by FILE's
# (a YAML "rules:" section) through its admin API, and checks how many
# are in force.
put_rules() {
  local out n want
  out=$(curl -sf -X PUT -H 'Content-Type: application/yaml' --data-binary @"$2" "http://$1/api/v1/rules") || { echo "put_rules: PUT $2 to $1 failed" >&2; exit 1; }
  # awk, not grep -c: a count of none is no failure under pipefail.
  n=$(awk '/"name"/ {c++} END {print c+0}' <<<"$out")
  want=$(awk '/^  - name:/ {c++} END {print c+0}' "$2")
  [ "$n" -eq "$want" ] || { echo "put_rules: $n rules in force after $2, want $want" >&2; exit 1; }
}

# start_bare BODY ARGS… sets $bare to the address of a baseline server.
start_bare() {
  local out="$work/bare.$RANDOM"
  "$work/bare" -listen 127.0.0.1:0 -body "$1" "${@:2}" >"$out" 2>&1 &
  pids+=($!); bare_pid=$!
  bare=$(wait_for "$out" 's/^listening on //p')
}

start_sim bench/config-100-rules.yaml; sim_rules=$sim; pid_rules=$sim_pid; admin_rules=$sim_admin
sed -n '/^rules:/,$p' bench/config-100-rules.yaml >"$work/rules-100.yaml"
echo 'rules: []' >"$work/rules-0.yaml"
start_sim; pid_sim=$sim_pid
chat='{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}'
stream='{"model":"bench-stream","stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}'
curl -s -D "$work/chat.headers" "http://$sim/v1/chat/completions" -d "$chat" >"$work/chat.json"
curl -s -D "$work/stream.headers" "http://$sim/v1/chat/completions" -d "$stream" >"$work/stream.txt"
events=$(grep -c '^data: ' "$work/stream.txt")
# The replaying simulator records each request from the simulating one on
# its first call, then replays it.
BENCH_UPSTREAM="http://$sim" BENCH_CASSETTES="$work/cassettes" start_sim bench/config-replay.yaml; sim_replay=$sim; pid_replay=$sim_pid; admin_replay=$sim_admin
sed -n '/^rules:/,$p' bench/config-replay.yaml >"$work/rules-tape.yaml"
printf 'rules:\n  - name: sim\n    action: simulate\n' >"$work/rules-sim.yaml"
for body in "$chat" "$stream"; do
  curl -s -o /dev/null "http://$sim_replay/v1/chat/completions" -d "$body"
done
recorded=$(find "$work/cassettes" -name '*.json' | wc -l)
[ "$recorded" -eq 2 ] || { echo "replay: $recorded recordings, want 2" >&2; cat "$sim_log" >&2; exit 1; }
start_bare "$work/chat.json" -headers "$work/chat.headers"; bare_chat=$bare; pid_bare_chat=$bare_pid
start_bare "$work/stream.txt" -headers "$work/stream.headers" -sse; bare_stream=$bare; pid_bare_stream=$bare_pid

# Each pair is measured ROUNDS times, alternating baseline and simulator,
# and the medians are reported: on a shared machine a single run can be
# off by half, but interleaving makes the noise hit both sides alike.

# errors_of FILE is the distinct error columns of a side's rounds, on one
# line.
errors_of() { awk '{ $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' "$1" | sort -u | paste -sd' ' -; }

# pair NAME URL_BASE URL_SIM SCRIPT PID_BASE PID_SIM TARGET [EVENTS] →
# prints two rows (baseline, simulator) and adds them to the summary
# table, as events/s when EVENTS (per response) is given.
pair() {
  local name=$1 base=$2 simurl=$3 script=$4 pid_base=$5 pid_sim=$6 target=$7 per=${8:-}
  : >"$work/b" ; : >"$work/s"
  # One short run per side first, not counted, so that no round pays for
  # pools, connections and the heap reaching their working size. The
  # commands in $before_b and $before_s, when set, run before each of
  # their side's runs.
  eval "${before_b:-}"; DURATION=$WARMUP measure "$base" "$script" >/dev/null
  eval "${before_s:-}"; DURATION=$WARMUP measure "$simurl" "$script" >/dev/null
  for _ in $(seq "$ROUNDS"); do
    eval "${before_b:-}"; measure "$base" "$script" >>"$work/b"
    eval "${before_s:-}"; measure "$simurl" "$script" >>"$work/s"
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
  errs_b=$(errors_of "$work/b")
  errs_s=$(errors_of "$work/s")
  row "${pair_labels[0]}, $name" "$b_rps" "$(cat "$work/b.2")ms" "$(cat "$work/b.3")ms" "$errs_b"
  row "${pair_labels[1]}, $name" "$s_rps" "$(cat "$work/s.2")ms" "$(cat "$work/s.3")ms" "$errs_s" "$ratio"
  local unit=" RPS" b_rate=$b_rps s_rate=$s_rps
  if [ -n "$per" ]; then unit=" events/s"; b_rate=$(awk -v r="$b_rps" -v e="$per" 'BEGIN {print r * e}'); s_rate=$(awk -v r="$s_rps" -v e="$per" 'BEGIN {print r * e}'); fi
  table_row "${pair_labels[0]}, $name" "$(printf '%.0f' "$b_rate")$unit" "$(cat "$work/b.2") ms" "$(cat "$work/b.3") ms" "$errs_b" "$pid_base"
  table_row "${pair_labels[1]}, $name" "$(printf '%.0f' "$s_rate")$unit" "$(cat "$work/s.2") ms" "$(cat "$work/s.3") ms" "$errs_s" "$pid_sim" \
    "$(awk -v x="$ratio" 'BEGIN {printf "%.2fx", x}')" "$target"
}

pair_labels=("bare net/http" "llm-simulator")
printf '%-40s %12s %10s %10s  %s\n' mode "RPS" p50 p99 errors
row() { # name rps p50 p99 errs [ratio]
  local r=""
  [ -n "${6:-}" ] && r=$(awk -v x="$6" 'BEGIN {printf "(ratio %.2fx)", x}')
  printf '%-40s %12.0f %10s %10s  %s %s\n' "$1" "$2" "$3" "$4" "$5" "$r"
}
pair "chat JSON" "http://$bare_chat/" "http://$sim/v1/chat/completions" "$(lua "$chat")" "$pid_bare_chat" "$pid_sim" ">= 0.8x"
pair "stream ($events ev)" "http://$bare_stream/" "http://$sim/v1/chat/completions" "$(lua "$stream")" "$pid_bare_stream" "$pid_sim" ">= 0.8x" "$events"
awk -v a="$s_rps" -v b="$b_rps" -v e="$events" -v r="$ratio" 'BEGIN {printf "events/s (median): llm-simulator %.0f, bare %.0f, ratio %.2fx\n", a*e, b*e, r}'

# The rule and fault machinery: 100 rules, the last of which takes every
# request and fires a zero latency, against none — in one process, its
# rules replaced through the admin API before each side's run. Two
# processes of the same binary and config differ by up to 15% here
# (BENCHMARKS.md), more than the machinery costs.
pair_labels=("llm-simulator, no rules" "llm-simulator, 100 rules + fault")
before_b='put_rules "$admin_rules" "$work/rules-0.yaml"' before_s='put_rules "$admin_rules" "$work/rules-100.yaml"' \
  pair "chat JSON" "http://$sim_rules/v1/chat/completions" "http://$sim_rules/v1/chat/completions" "$(lua "$chat")" "$pid_rules" "$pid_rules" ">= 0.9x"

# Replay hits against simulated answers of the same requests, in one
# process too: the replaying one, its rule switched between simulate and
# replay before each side's run.
pair_labels=("llm-simulator, simulate" "llm-simulator, replay hit")
before_b='put_rules "$admin_replay" "$work/rules-sim.yaml"' before_s='put_rules "$admin_replay" "$work/rules-tape.yaml"' \
  pair "chat JSON" "http://$sim_replay/v1/chat/completions" "http://$sim_replay/v1/chat/completions" "$(lua "$chat")" "$pid_replay" "$pid_replay" ">= 1x"
before_b='put_rules "$admin_replay" "$work/rules-sim.yaml"' before_s='put_rules "$admin_replay" "$work/rules-tape.yaml"' \
  pair "stream ($events ev)" "http://$sim_replay/v1/chat/completions" "http://$sim_replay/v1/chat/completions" "$(lua "$stream")" "$pid_replay" "$pid_replay" ">= 1x" "$events"

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
p99_ratio=$(awk -v a="$(cat "$work/ls.2")" -v b="$(cat "$work/lb.2")" 'BEGIN {print a/b}')
printf '%-40s %12.0f %8.2fms %8.2fms  (p99 ratio %.2fx)\n' "llm-simulator, chat @ fixed rate" "$(cat "$work/ls.3")" "$(cat "$work/ls.1")" "$(cat "$work/ls.2")" "$p99_ratio"
fixed="chat @ $((CONNS * RATE)) RPS fixed"
table_row "bare net/http, $fixed" "$(cat "$work/lb.3") RPS" "$(cat "$work/lb.1") ms" "$(cat "$work/lb.2") ms" "" "$pid_bare_chat"
table_row "llm-simulator, $fixed" "$(cat "$work/ls.3") RPS" "$(cat "$work/ls.1") ms" "$(cat "$work/ls.2") ms" "" "$pid_sim" \
  "p99 $(awk -v x="$p99_ratio" 'BEGIN {printf "%.2fx", x}')" "p99 <= 1.2x and < 10 ms"
echo "($(nproc) cores; wrk -t$THREADS -c$CONNS -d$DURATION; fixed rate: hey -c$CONNS -q$RATE; $ROUNDS interleaved rounds, medians; $(date -u +%F))"
