# Shared helpers for e2e suites; source it. Every check prints one line.
set -euo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN="$E2E_DIR/bin"
ARTIFACTS="$E2E_DIR/artifacts"
mkdir -p "$ARTIFACTS"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# free_port prints a free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_app NAME ADDR [ARGS...]: runs e2e/bin/NAME with HYPERLANE_ADDR=ADDR
# (other HYPERLANE_* variables pass through), logs to artifacts/NAME-PORT.log,
# and waits until the port accepts connections.
start_app() {
  local name=$1 addr=$2; shift 2
  local log="$ARTIFACTS/$name-${addr##*:}.log"
  HYPERLANE_ADDR="$addr" "$BIN/$name" "$@" >"$log" 2>&1 &
  PIDS+=($!)
  wait_port "$addr" || { echo "FAIL: $name did not start; log:"; tail -20 "$log"; return 1; }
}

# wait_port HOST:PORT: waits up to 15 s for a listener.
wait_port() {
  local host=${1%:*} port=${1##*:}
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# go_tests NAME DIR LOG [GO TEST ARGS...]: go test -v in DIR (relative to
# the repository's root), output in LOG; one ok line counting what
# passed, or a FAIL with the failures, also when a test skipped (a skip
# would hide a failure).
go_tests() {
  local name=$1 dir=$2 log=$3; shift 3
  if (cd "$E2E_DIR/../$dir" && timeout 300 go test -count=1 -v "$@") >"$log" 2>&1; then
    if grep -q -- '--- SKIP' "$log"; then
      fail "$name: a test skipped: $(grep -m1 -A1 -- '--- SKIP' "$log" | tr '\n' ' ')"
    else
      ok "$name: $(grep -c -- '--- PASS' "$log") tests and subtests passed, none skipped ($dir)"
    fi
  else
    fail "$name ($dir), log $log:"; grep -E -- '^(--- FAIL|FAIL|panic)|_test.go:' "$log" | head -30
  fi
}

FAILS=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
# check NAME EXPECTED ACTUAL
check() { if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi; }
# check_contains NAME NEEDLE HAYSTACK
check_contains() { if [[ "$3" == *"$2"* ]]; then ok "$1"; else fail "$1: [$2] not in [${3:0:300}]"; fi; }
# finish: exit status of the suite.
finish() { [ "$FAILS" -eq 0 ]; }
