#!/usr/bin/env bash
# Soak benchmark: llm-simulator under mixed traffic (both providers,
# streams, error faults, cut streams, rate limits by ever-new API keys,
# latency) with config reloads and admin changes all along; prints its
# resident memory, live heap and goroutines at the start (after a tenth
# of the run), the middle and the end, and fails when they grew past the
# tolerances, when a 5xx came that no fault explains, or when the log
# shows a panic. See bench/soak/main.go.
#
#   bench/soak.sh                         # 10 minutes, 16 clients
#   DURATION=2m WORKERS=32 bench/soak.sh
#   RSS_GROWTH=1.25 RSS_SLACK_MIB=16 GOROUTINE_SLACK=20 bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10m}
WORKERS=${WORKERS:-16}

# shellcheck source=bench/lib.sh
. bench/lib.sh

go build -o "$work/llm-simulator" ./cmd/llm-simulator
go build -o "$work/soak" ./bench/soak
"$work/soak" -bin "$work/llm-simulator" -duration "$DURATION" -workers "$WORKERS" \
  -rss-growth "${RSS_GROWTH:-1.25}" -rss-slack "${RSS_SLACK_MIB:-16}" -goroutine-slack "${GOROUTINE_SLACK:-20}"
