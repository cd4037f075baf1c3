#!/usr/bin/env bash
# Forwarding and interception benchmark: llm-simulator as a proxy, beside
# the proxies people would otherwise reach for, in the same run. The load
# generator, the proxies and the upstream share the machine's cores, so
# only proxy-to-proxy figures measured here mean anything; every process
# runs with its default logging. Prints one table: mode, RPS, p50, p99,
# errors (non-2xx and socket errors, summed over rounds), the proxy's CPU
# time per response, and the ratio.
#
#  1. Forward throughput (wrk, closed loop): a local upstream (bench/bare
#     answering the simulator's own chat answer, plain HTTP, keep-alive)
#     directly, then through httputil.ReverseProxy (bench/revproxy),
#     Toxiproxy (a TCP proxy, no toxics) and llm-simulator with
#     default_action: forward.
#  2. Latency added at a fixed rate below every proxy's saturation (hey
#     -q): p99 through llm-simulator (and ReverseProxy) minus p99 direct.
#  3. Interception (hey, closed loop): HTTPS to api.openai.com through
#     llm-simulator as HTTPS_PROXY, answered by the simulator, against
#     bench/bare -tls answering the same bytes, with keep-alive and with a
#     new connection (CONNECT and TLS handshake) per request.
#
#   bench/forward.sh                    # 5 rounds of 5 s per mode, 64 connections
#   ROUNDS=3 DURATION=3s bench/forward.sh
#   FIXED_CONNS=64 RATE=40 bench/forward.sh   # the fixed rate as 64 in-phase workers
#   PROFILE=cpu.out bench/forward.sh    # and a CPU profile of the forward (top on stderr)
#
# Each round runs every mode of a section back to back; the table shows
# medians, and a ratio is the median of the per-round ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s} # in seconds: the CPU column divides by it
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-5}
# The fixed rate: FIXED_CONNS workers of RATE requests/s each, 2560 RPS,
# below every proxy's saturation. hey starts its workers' tickers
# together, so they fire in phase: 64 workers send bursts of 64 requests,
# and the p99 measures how long a proxy takes to drain a burst on shared
# cores rather than what it adds to one request; 8 workers keep bursts
# small.
FIXED_CONNS=${FIXED_CONNS:-8}
RATE=${RATE:-320}

# shellcheck source=bench/lib.sh
. bench/lib.sh
need wrk hey
hz=$(getconf CLK_TCK)

go build -o "$work/llm-simulator" ./cmd/llm-simulator
go build -o "$work/bare" ./bench/bare
go build -o "$work/revproxy" ./bench/revproxy

# start_sim CONFIG ARGS… sets $sim, $admin and $pid once the simulator
# logs its ready line. Servers start in this shell, not a subshell, so
# the EXIT trap can stop them.
start_sim() {
  local log="$work/sim.$RANDOM.log"
  "$work/llm-simulator" --config "$1" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 "${@:2}" \
    >/dev/null 2>"$log" &
  pid=$!; pids+=($!)
  sim=$(wait_for "$log" 's/.*"listen":"\([^"]*\)".*/\1/p')
  admin=$(wait_for "$log" 's/.*"admin":"\([^"]*\)".*/\1/p')
}

# start_helper PROGRAM ARGS… sets $addr and $pid once a bench/ helper
# prints "listening on ADDR".
start_helper() {
  local out="$work/$1.$RANDOM"
  "$work/$1" -listen 127.0.0.1:0 "${@:2}" >"$out" 2>&1 &
  pid=$!; pids+=($!)
  addr=$(wait_for "$out" 's/^listening on //p')
}

# start_toxiproxy UPSTREAM sets $toxi (and $pid) to a Toxiproxy proxy with
# no toxics in front of UPSTREAM, installing toxiproxy-server into $work
# when it is not on PATH; when it cannot, $toxi is empty and $toxi_missing
# says why. toxiproxy-server cannot listen on port 0 and say which port
# it got, so its API takes one the OS just handed out; the proxy itself
# listens on port 0 and the API answers with the address.
start_toxiproxy() {
  toxi="" toxi_missing="" toxi_version=""
  local bin api reply=""
  bin=$(command -v toxiproxy-server || true)
  if [ -z "$bin" ]; then
    echo "installing toxiproxy-server…" >&2
    if ! GOBIN="$work/gobin" go install github.com/Shopify/toxiproxy/v2/cmd/server@latest 2>"$work/toxi.install"; then
      toxi_missing="go install failed: $(tail -1 "$work/toxi.install")"; return
    fi
    bin="$work/gobin/server"
  fi
  toxi_version=$("$bin" -version 2>&1 | head -1)
  api=127.0.0.1:$(free_port) || { toxi_missing="no free port for its API"; return; }
  "$bin" -host 127.0.0.1 -port "${api#*:}" >"$work/toxi.log" 2>&1 &
  pid=$!; pids+=($!)
  for _ in $(seq 100); do
    reply=$(curl -sf -XPOST "http://$api/proxies" \
      -d "{\"name\":\"up\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"$1\"}" 2>/dev/null) && break
    sleep 0.05
  done
  toxi=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' <<<"$reply")
  [ -n "$toxi" ] || toxi_missing="its API did not answer on $api: $(tail -1 "$work/toxi.log")"
}

# free_port prints a TCP port the OS considers free right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wrk_run URL SCRIPT and hey_run ARGS… print one round as
# "rps p50-ms p99-ms non-2xx socket-errors". hey_run's RPS counts
# responses of any status over the run time, as wrk's does (hey's own
# figure counts failed requests too); its socket errors are the requests
# that got no response. A wrk that could not connect at all counts as
# one socket error, so its row shows it.
wrk_run() {
  measure "$1" "$2" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "" || $2 == "" { print 0, 0, 0, 0, 1; next }
    { n = s = 0
      for (i = 4; i < NF; i++) {
        if ($i == "responses:") n += $(i + 1)
        if ($i ~ /^(connect|read|write|timeout)$/) s += $(i + 1)
      }
      print $1, ms($2), ms($3), n, s }'
}

hey_run() {
  hey -z "$DURATION" "$@" | awk '
    $1 == "Total:" && !t { t = $2 }
    $1 == "50%" { p50 = $3 * 1000 }
    $1 == "99%" { p99 = $3 * 1000 }
    /^Status code distribution/ { sec = "status"; next }
    /^Error distribution/ { sec = "error"; next }
    $1 ~ /^\[[0-9]+\]$/ { k = substr($1, 2, length($1) - 2)
      if (sec == "status") { r += $2; if (k !~ /^2/) n += $2 }
      if (sec == "error") s += k }
    END { printf "%.2f %.3f %.3f %d %d\n", (t > 0 ? r / t : 0), p50, p99, n, s }'
}

# timed PID CMD… runs one round (wrk_run or hey_run) and adds a sixth
# column: the CPU time PID spent on it, in microseconds per response, or
# - without a PID. The process serves nothing else meanwhile, so this is
# what a proxy costs apart from how the shared cores were split.
timed() {
  local pid=$1 t0 line
  t0=$(ticks "$pid")
  line=$("${@:2}")
  awk -v line="$line" -v d="$(($(ticks "$pid") - t0))" -v hz="$hz" -v secs="${DURATION%s}" -v pid="$pid" \
    'BEGIN { split(line, f, " "); n = f[1] * secs; print line, (pid == "" || n == 0 ? "-" : d * 1e6 / hz / n) }'
}

# ticks PID is the user and system CPU time PID has used, in clock ticks.
ticks() { if [ -n "$1" ]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }

# verify_tunnel PROXY URL CA SIZE fails the run unless hey, given -x
# PROXY, gets only 200s for URL, of about SIZE bytes (the simulated text
# and ids vary from one answer to the next).
verify_tunnel() {
  local out
  out=$(SSL_CERT_FILE="$3" hey -n 32 -c 4 -x "http://$1" -m POST -T application/json -d "$chat" "$2")
  if ! grep -q '\[200\][[:space:]]*32 responses' <<<"$out" ||
    ! awk -v want="$4" '$1 == "Size/request:" {ok = $2 > 0.9 * want && $2 < 1.1 * want} END {exit !ok}' <<<"$out"; then
    echo "hey -x http://$1 did not get the simulator's answer to $2:" >&2; echo "$out" >&2; exit 1
  fi
}

# profile ADMIN URL SCRIPT writes a CPU profile of the simulator behind
# ADMIN under one more wrk run to $PROFILE, and its top to stderr.
profile() {
  curl -s "http://$1/debug/pprof/profile?seconds=${DURATION%s}" >"$PROFILE" &
  local curl_pid=$!
  measure "$2" "$3" >/dev/null
  wait "$curl_pid"
  go tool pprof -top -nodecount=40 "$work/llm-simulator" "$PROFILE" >&2
}

# The table. A mode's row shows the medians of its rounds, and its errors
# summed over them; FILE holds one timed line per round.
header() { printf '%-42s %9s %9s %9s  %-18s %8s  %s\n' mode RPS p50 p99 errors cpu/req ratio; }
# medians FILE sets rps, p50, p99, errs and cpu from a mode's rounds.
medians() {
  rps=$(awk '{print $1}' "$1" | median); p50=$(awk '{print $2}' "$1" | median)
  p99=$(awk '{print $3}' "$1" | median)
  cpu=-
  if grep -qv ' -$' "$1"; then cpu=$(awk '{print $6}' "$1" | median | awk '{printf "%.0fus", $1}'); fi
  errs=$(awk '{n += $4; s += $5} END {
    e = (n ? n " non-2xx" : ""); if (s) e = e (n ? ", " : "") s " socket"; print (e == "" ? "0" : e) }' "$1")
}

row() { # NAME FILE [NOTE]
  medians "$2"
  printf '%-42s %9.0f %7.2fms %7.2fms  %-18s %8s  %s\n' "$1" "$rps" "$p50" "$p99" "$errs" "$cpu" "${3:+($3)}"
}

# trow NAME FILE PID [RATIO TARGET] adds a mode to the summary table.
trow() {
  medians "$2"
  table_row "$1" "$(printf '%.0f RPS' "$rps")" "$(printf '%.2f ms' "$p50")" "$(printf '%.2f ms' "$p99")" "$errs" "$3" "${4:-}" "${5:-}"
}

# ratio A B is the median of the per-round RPS ratios of the modes whose
# rounds are in $work/A and $work/B, each pair run in the same round.
ratio() {
  paste -d' ' <(awk '{print $1}' "$work/$1") <(awk '{print $1}' "$work/$2") |
    awk '{print ($2 > 0 ? $1 / $2 : 0)}' | median | awk '{printf "%.2fx", $1}'
}

# added A B is the median of the per-round p99 differences, A minus B, in
# milliseconds.
added() {
  paste -d' ' <(awk '{print $3}' "$work/$1") <(awk '{print $3}' "$work/$2") |
    awk '{print $1 - $2}' | median | awk '{printf "%+.2f", $1}'
}

chat='{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}'
path=/v1/chat/completions

# The interception side first: its answer, captured through the proxy
# (HTTP/1.1, as hey speaks it), is what every upstream and baseline sends.
start_sim bench/config.yaml --ca-dir "$work/ca"; mitm=$sim; mitm_pid=$pid
ca=$("$work/llm-simulator" ca path --ca-dir "$work/ca")
curl -sf --http1.1 -D "$work/chat.headers" --proxy "http://$mitm" --cacert "$ca" \
  "https://api.openai.com$path" -d "$chat" >"$work/chat.json"

start_helper bare -body "$work/chat.json" -headers "$work/chat.headers"; upstream=$addr
start_helper bare -body "$work/chat.json" -headers "$work/chat.headers" -tls -cert "$work/bare.pem"
bare_tls=$addr; bare_tls_pid=$pid
start_helper revproxy -upstream "http://$upstream"
declare -A url=([direct]="http://$upstream$path" [revproxy]="http://$addr$path") proc=([direct]="" [revproxy]=$pid)
UPSTREAM="http://$upstream" start_sim bench/config-forward.yaml
url[llmsim]="http://$sim$path" proc[llmsim]=$pid fwd_admin=$admin
modes=(direct revproxy llmsim)
start_toxiproxy "$upstream"
if [ -n "$toxi" ]; then url[toxi]="http://$toxi$path" proc[toxi]=$pid modes=(direct revproxy toxi llmsim); fi

# ---- 1. forward throughput ---------------------------------------------------
script=$(lua "$chat")
for _ in $(seq "$ROUNDS"); do
  for m in "${modes[@]}"; do timed "${proc[$m]}" wrk_run "${url[$m]}" "$script" >>"$work/fw.$m"; done
done
if [ -n "${PROFILE:-}" ]; then profile "$fwd_admin" "${url[llmsim]}" "$script"; fi

header
trow "forward: direct to upstream" "$work/fw.direct" "${proc[direct]}"
trow "forward: httputil.ReverseProxy" "$work/fw.revproxy" "${proc[revproxy]}"
if [ -n "$toxi" ]; then
  trow "forward: Toxiproxy (TCP, no toxics)" "$work/fw.toxi" "${proc[toxi]}"
  trow "forward: llm-simulator" "$work/fw.llmsim" "${proc[llmsim]}" \
    "$(ratio fw.llmsim fw.revproxy) ReverseProxy, $(ratio fw.llmsim fw.toxi) Toxiproxy" ">= 1x each"
else
  trow "forward: llm-simulator" "$work/fw.llmsim" "${proc[llmsim]}" "$(ratio fw.llmsim fw.revproxy) ReverseProxy (no Toxiproxy: $toxi_missing)" ">= 1x each"
fi
row "forward: direct to upstream" "$work/fw.direct"
row "forward: httputil.ReverseProxy" "$work/fw.revproxy" "$(ratio fw.revproxy fw.direct) direct"
if [ -n "$toxi" ]; then
  row "forward: Toxiproxy (TCP, no toxics)" "$work/fw.toxi" "$(ratio fw.toxi fw.direct) direct"
  row "forward: llm-simulator" "$work/fw.llmsim" \
    "$(ratio fw.llmsim fw.revproxy) ReverseProxy, $(ratio fw.llmsim fw.toxi) Toxiproxy"
else
  printf '%-42s %s\n' "forward: Toxiproxy" "not available ($toxi_missing)"
  row "forward: llm-simulator" "$work/fw.llmsim" "$(ratio fw.llmsim fw.revproxy) ReverseProxy"
fi

# ---- 2. latency added at a fixed rate ------------------------------------------
# A saturated closed-loop generator measures its own queueing; at a fixed
# rate below saturation the p99 is the proxy's tail.
for _ in $(seq "$ROUNDS"); do
  for m in direct revproxy llmsim; do
    timed "${proc[$m]}" hey_run -c "$FIXED_CONNS" -q "$RATE" -m POST -T application/json -d "$chat" "${url[$m]}" >>"$work/fr.$m"
  done
done
fixed="@ $((FIXED_CONNS * RATE)) RPS fixed"
row "forward: direct $fixed" "$work/fr.direct"
row "forward: ReverseProxy $fixed" "$work/fr.revproxy" "p99 $(added fr.revproxy fr.direct) ms vs direct"
row "forward: llm-simulator $fixed" "$work/fr.llmsim" "p99 $(added fr.llmsim fr.direct) ms vs direct"
trow "forward: direct $fixed" "$work/fr.direct" "${proc[direct]}"
# The minimal ReverseProxy's own added tail: what one more loopback hop
# costs on this machine, whoever makes it.
trow "forward: httputil.ReverseProxy $fixed" "$work/fr.revproxy" "${proc[revproxy]}" "p99 $(added fr.revproxy fr.direct) ms added"
trow "forward: llm-simulator $fixed" "$work/fr.llmsim" "${proc[llmsim]}" "p99 $(added fr.llmsim fr.direct) ms added" "< 1 ms added"

# ---- 3. interception -----------------------------------------------------------
# hey has no CA flag and, it turns out, does not verify certificates
# (InsecureSkipVerify); SSL_CERT_FILE is set anyway, so a client that does
# verify would pass. That hey really tunnels through -x is checked, not
# assumed: api.openai.com answers a POST without an API key with 401 (and
# this machine may not reach it at all), so only the simulator can have
# sent 200s of about the captured body's size. hey speaks HTTP/1.1 here,
# to both servers.
api=https://api.openai.com$path
verify_tunnel "$mitm" "$api" "$ca" "$(wc -c <"$work/chat.json")"
for _ in $(seq "$ROUNDS"); do
  for ka in keepalive newconn; do
    flags=(-c "$CONNS" -m POST -T application/json -d "$chat")
    if [ "$ka" = newconn ]; then flags+=(-disable-keepalive); fi
    SSL_CERT_FILE="$work/bare.pem" timed "$bare_tls_pid" hey_run "${flags[@]}" "https://$bare_tls$path" >>"$work/mi.bare.$ka"
    SSL_CERT_FILE="$ca" timed "$mitm_pid" hey_run "${flags[@]}" -x "http://$mitm" "$api" >>"$work/mi.llmsim.$ka"
  done
done
row "MITM keep-alive: bare Go TLS server" "$work/mi.bare.keepalive"
row "MITM keep-alive: llm-simulator" "$work/mi.llmsim.keepalive" "$(ratio mi.llmsim.keepalive mi.bare.keepalive) bare TLS"
row "MITM new conn/req: bare Go TLS server" "$work/mi.bare.newconn"
row "MITM new conn/req: llm-simulator" "$work/mi.llmsim.newconn" "$(ratio mi.llmsim.newconn mi.bare.newconn) bare TLS"
trow "MITM keep-alive: bare Go TLS server" "$work/mi.bare.keepalive" "$bare_tls_pid"
trow "MITM keep-alive: llm-simulator" "$work/mi.llmsim.keepalive" "$mitm_pid" "$(ratio mi.llmsim.keepalive mi.bare.keepalive)" ">= 0.8x"
trow "MITM new conn/req: bare Go TLS server" "$work/mi.bare.newconn" "$bare_tls_pid"
trow "MITM new conn/req: llm-simulator" "$work/mi.llmsim.newconn" "$mitm_pid" "$(ratio mi.llmsim.newconn mi.bare.newconn)" ">= 0.8x"

echo "($(nproc) cores; forward: wrk -t$THREADS -c$CONNS -d$DURATION; fixed rate: hey -c$FIXED_CONNS -q$RATE -z$DURATION;" \
  "MITM: hey -c$CONNS -z$DURATION, closed loop; $ROUNDS interleaved rounds, medians; cpu/req: the proxy's," \
  "or the bare server's, CPU time per response; ${toxi_version:-no toxiproxy}; $(go env GOVERSION); $(date -u +%F))"
