#!/usr/bin/env bash
# The Go tests that make test (go test -short) skips or scales down, in
# full under the race detector: package cli's tests that build binaries
# and run several server processes (dev reload, restart and SIGUSR2
# hand-over under load, start -d, stop, systemd activation, the
# quickstart's lifecycle), the WebSocket and leak tests at full size, and
# the typed-body memory bound on 8 MiB bodies.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)

# run NAME PKG [go test args...]: one go test run, one line, log kept.
run() {
  local name=$1 pkg=$2; shift 2
  local log="$ARTIFACTS/go-full-$name.log"
  if (cd "$ROOT" && go test -race -count=1 -v "$@" "$pkg") >"$log" 2>&1; then
    ok "$name: $(grep -c '^--- PASS' "$log") tests passed, none skipped for -short ($pkg)"
    if grep -q -- '--- SKIP' "$log"; then fail "$name: a test skipped: $(grep -m1 -A1 -- '--- SKIP' "$log" | tr '\n' ' ')"; fi
  else
    fail "$name ($pkg), log $log:"; grep -E -- '^(--- FAIL|FAIL|panic)|_test.go:' "$log" | head -20
  fi
}

run cli ./cli/
run websocket-and-leaks ./hyperlane/ -run '^(TestWebSocketConcurrentWrites|TestVanishedClientsLeakNothing)$'
run typed-body-memory ./openapi/ -run '^TestTypedBodyMemory$'
finish
