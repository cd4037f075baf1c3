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

for tool in wrk hey; do
  if ! command -v "$tool" >/dev/null; then
    echo "installing $tool…" >&2
    (apt-get update -qq && apt-get install -y -qq "$tool") >/dev/null 2>&1 ||
      sudo sh -c "apt-get update -qq && apt-get install -y -qq $tool" >/dev/null
  fi
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/llm-simulator" ./cmd/llm-simulator
go build -o "$work/bare" ./bench/bare

# start_sim runs the binary as users run it and sets $sim to its proxy
# address once it logs its ready line. Servers are started in this shell,
# not a subshell, so the EXIT trap can stop them.
start_sim() { # [CONFIG]
  local log="$work/sim.$RANDOM.log"
  "$work/llm-simulator" --config "${1:-bench/config.yaml}" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    >/dev/null 2>"$log" &
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

# measure URL SCRIPT → "rps p50 p99 errors"
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

start_sim bench/config-fault.yaml; sim_rule=$sim
start_sim
chat='{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}'
stream='{"model":"bench-stream","stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}'
curl -s -D "$work/chat.headers" "http://$sim/v1/chat/completions" -d "$chat" >"$work/chat.json"
curl -s -D "$work/stream.headers" "http://$sim/v1/chat/completions" -d "$stream" >"$work/stream.txt"
events=$(grep -c '^data: ' "$work/stream.txt")
start_bare "$work/chat.json" -headers "$work/chat.headers"; bare_chat=$bare
start_bare "$work/stream.txt" -headers "$work/stream.headers" -sse; bare_stream=$bare

# Each pair is measured ROUNDS times, alternating baseline and simulator,
# and the medians are reported: on a shared machine a single run can be
# off by half, but interleaving makes the noise hit both sides alike.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

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
      awk -v c=$col '{v=$c; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; print v}' "$work/$side" | median >"$work/$side.$col"
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
