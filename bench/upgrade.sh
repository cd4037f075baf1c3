#!/usr/bin/env bash
# Upgrades under load: `hey -c 64` posting chat completions back to back
# on kept-alive HTTP/1.1 connections (and, with STREAMS, a second hey
# posting short streams), while the script sends the serving process
# SIGUSR2 UPGRADES times, each once the process before has exited
# (tableflip allows one upgrade at a time). hey retries nothing, so every
# request a drain loses is an error in its report. Prints one line per
# run: requests, non-200s, errors (with hey's reasons), upgrades, and how
# long each old process took to drain and exit.
#
#   bench/upgrade.sh                       # 40 s, 64 connections, 10 upgrades
#   STREAMS=8 bench/upgrade.sh             # and 8 connections of 0.2 s streams
#   BIN=/path/to/llm-simulator bench/upgrade.sh   # another build, e.g. an older revision
#   DURATION=20s UPGRADES=5 bench/upgrade.sh
#
# The load generator and the server share the machine's cores; the
# figures to compare are errors, not throughput.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-40s}
CONNS=${CONNS:-64}
STREAMS=${STREAMS:-0}
UPGRADES=${UPGRADES:-10}

# shellcheck source=bench/lib.sh
. bench/lib.sh
need hey

bin=${BIN:-}
if [ -z "$bin" ]; then
  bin=$work/llm-simulator
  go build -o "$bin" ./cmd/llm-simulator
fi

# The default model answers at once; model short streams 10 tokens 20 ms
# apart. No server section: the defaults (drain_idle_grace 2s) are what
# users run, and an older build accepts the file too.
cat >"$work/config.yaml" <<'YAML'
version: 1
drain_timeout: 10s
reload: {watch: false}
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: 0s}
  output_tokens: {dist: constant, value: 10}
  models:
    short: {itl: {dist: constant, value: 20ms}}
YAML

XDG_CONFIG_HOME=$work/home "$bin" --config "$work/config.yaml" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
  --ca-dir "$work/ca" --pid-file "$work/pid" 2>"$work/server.log" &
pids+=($!)
addr=$(wait_for "$work/server.log" 's/.*"listen":"\([^"]*\)".*"message":"ready".*/\1/p')
url=http://$addr/v1/chat/completions

# gone PID: the process has exited (a zombie an init that does not reap
# keeps counts as gone).
gone() { ! grep -q '^State:.[^Z]' "/proc/$1/status" 2>/dev/null; }

secs=${DURATION%s}
hey -z "$DURATION" -c "$CONNS" -m POST -T application/json \
  -d '{"model":"m","messages":[{"role":"user","content":"hi"}]}' "$url" >"$work/calls.out" &
hey_calls=$!
if [ "$STREAMS" -gt 0 ]; then
  hey -z "$DURATION" -c "$STREAMS" -m POST -T application/json \
    -d '{"model":"short","stream":true,"messages":[{"role":"user","content":"hi"}]}' "$url" >"$work/streams.out" &
  hey_streams=$!
fi

# The upgrades, spread over the run with a second's margin at each end.
interval=$(awk -v d="$secs" -v n="$UPGRADES" 'BEGIN {printf "%.2f", (d - 2) / n}')
done_upgrades=0
drains=()
sleep 1
for _ in $(seq "$UPGRADES"); do
  sleep "$interval"
  old=$(cat "$work/pid")
  start=$(date +%s.%N)
  kill -USR2 "$old"
  for _ in $(seq 3000); do
    [ "$(cat "$work/pid")" != "$old" ] && gone "$old" && break
    sleep 0.01
  done
  if ! gone "$old"; then
    echo "upgrade $((done_upgrades + 1)): pid $old still runs 30 s after SIGUSR2" >&2
    break
  fi
  drains+=("$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')")
  done_upgrades=$((done_upgrades + 1))
done
wait "$hey_calls"
[ -n "${hey_streams:-}" ] && wait "$hey_streams"
kill "$(cat "$work/pid")" 2>/dev/null || true

# summary FILE NAME prints requests, non-200s, errors and their reasons
# (hey's, counted by reason whatever the client's port).
summary() {
  sed -E 's/read tcp [0-9.:]+->[0-9.:]+: //; s#"http://[^"]*"#URL#' "$1" | awk -v name="$2" '
    /^Status code distribution/ {s = 1; e = 0; next}
    /^Error distribution/ {e = 1; s = 0; next}
    s && /\[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); n += $2; if ($1 != 200) bad += $2}
    e && /\[[0-9]+\]/ {c = $1; gsub(/[\[\]]/, "", c); errs += c; $1 = ""; why[$0] += c}
    END {
      printf "%s: %d requests, %d non-200, %d errors\n", name, n + errs, bad, errs
      for (w in why) printf "    %d ×%s\n", why[w], w
    }'
}
echo "bench/upgrade.sh: $DURATION, $CONNS connections$([ "$STREAMS" -gt 0 ] && echo ", $STREAMS streaming"), $done_upgrades of $UPGRADES SIGUSR2 upgrades ($bin)"
summary "$work/calls.out" calls
[ "$STREAMS" -gt 0 ] && summary "$work/streams.out" "streams (0.2 s)"
echo "seconds from SIGUSR2 to the old process gone: ${drains[*]}"
