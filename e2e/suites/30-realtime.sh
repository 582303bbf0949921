#!/usr/bin/env bash
# Real-time routes of examples/quickstart and examples/chat with clients
# nobody here wrote: curl, npm ws (with and without permessage-deflate),
# npm eventsource (with a Last-Event-ID resume), headless Chromium through
# playwright-core; then a graceful shutdown with a socket and a stream open.
source "$(dirname "$0")/../lib.sh"
JS="$E2E_DIR/js"

# run_js NAME SCRIPT ARGS...: runs a node client; its ok/FAIL lines count.
run_js() {
  local name=$1 script=$2; shift 2
  local out rc=0
  out=$(node "$JS/$script" "$@" 2>&1) || rc=$?
  echo "$out"
  FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' <<<"$out"; then fail "$name exited with $rc"; fi
}

# Own PID files, so that another quickstart on this machine does not clash.
export HYPERLANE_PID_FILE="$ARTIFACTS/realtime-quickstart.pid"
addr="127.0.0.1:$(free_port)"
start_app quickstart "$addr"
base="http://$addr"

# A plain GET to a WebSocket route: 426 with Upgrade, as problem+json.
hdrs=$(curl -s -D - -o "$ARTIFACTS/ws-426.json" "$base/ws" | tr -d '\r')
check_contains "GET /ws without upgrade is 426" "HTTP/1.1 426" "$hdrs"
check_contains "426 names the upgrade" "Upgrade: websocket" "$hdrs"
check_contains "426 is problem+json" "application/problem+json" "$hdrs"

# SSE with curl: headers at once, whole events, 204 once all were seen.
hdrs=$(curl -s -N -D - -o "$ARTIFACTS/events.txt" "$base/events?n=2&interval=50ms" | tr -d '\r')
check_contains "SSE Content-Type" "Content-Type: text/event-stream" "$hdrs"
check_contains "SSE Cache-Control" "Cache-Control: no-cache" "$hdrs"
check_contains "SSE X-Accel-Buffering" "X-Accel-Buffering: no" "$hdrs"
check "curl reads events 1 and 2, then done" 'id: 1|retry: 500|data: {"n":1,"of":2}||id: 2|data: {"n":2,"of":2}||event: done|data: {"sent":2,"of":2}||' \
  "$(tr '\n' '|' < "$ARTIFACTS/events.txt")"
check "Last-Event-ID at the end is 204" 204 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Last-Event-ID: 2' "$base/events?n=2")"

run_js "ws client" ws-echo.mjs "ws://$addr/ws"
run_js "eventsource client" sse.mjs "$base"

chat_addr="127.0.0.1:$(free_port)"
start_app chat "$chat_addr"
# The quickstart's /chat, then the chat example's own page at its root.
run_js "chromium" browser.mjs "$base" chat=/chat realtime=/chat
run_js "chromium (examples/chat)" browser.mjs "http://$chat_addr" chat=/

# Graceful shutdown: SIGTERM with a socket and a stream open.
sd_addr="127.0.0.1:$(free_port)"
HYPERLANE_PID_FILE="$ARTIFACTS/realtime-shutdown.pid" start_app quickstart "$sd_addr"
sd_pid=${PIDS[-1]}
run_js "shutdown" shutdown.mjs "http://$sd_addr" "$sd_pid"
rc=0
wait "$sd_pid" || rc=$?
check "quickstart exits 0 after a graceful drain" 0 "$rc"

finish
