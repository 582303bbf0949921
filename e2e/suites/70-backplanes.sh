#!/usr/bin/env bash
# The Redis and NATS backplanes against real brokers: every test of the
# backplane modules in full under the race detector (redis-server from
# Debian, started and stopped by the tests on free ports; an embedded NATS
# server), failing if any skipped; the quickstart's cluster tests; the
# quickstart binary's HYPERLANE_BACKPLANE_URL errors; and the
# messages/s of each backplane beside the in-memory hub (reported, not
# asserted).
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)

command -v redis-server >/dev/null || { fail "redis-server is not installed (e2e/setup.sh installs it)"; finish; exit 1; }
ok "redis-server: $(redis-server --version | awk '{print $3}')"

# run NAME DIR [go test args...]: one go test -race run in module DIR, one line.
run() { go_tests "$1" "$2" "$ARTIFACTS/backplanes-$1.log" -race "${@:3}"; }

run redis backplane/redis ./...
run nats backplane/nats ./...
run quickstart-cluster examples -run 'Backplane|ChatSpans|ChatEvents' ./quickstart/
for m in redis nats; do
  grep -h 'reconnects: goroutines' "$ARTIFACTS/backplanes-$m.log" | sed "s/^ */     $m: /" || true
done

# The quickstart binary: a bad URL is a usage error naming the variable,
# an unreachable broker a startup error, both before listening.
QS="$E2E_DIR/bin/quickstart"
[ -x "$QS" ] || (cd "$ROOT/examples" && go build -o "$QS" ./quickstart)
out=$(HYPERLANE_BACKPLANE_URL='http://127.0.0.1:1' HYPERLANE_ADDR=127.0.0.1:$(free_port) timeout 20 "$QS" 2>&1; echo "exit=$?")
check_contains "quickstart: a bad HYPERLANE_BACKPLANE_URL exits 2" "exit=2" "$out"
check_contains "quickstart: the error names the variable" 'HYPERLANE_BACKPLANE_URL="http://127.0.0.1:1": unknown scheme "http"' "$out"
out=$(HYPERLANE_BACKPLANE_URL="redis://127.0.0.1:$(free_port)/0" HYPERLANE_ADDR=127.0.0.1:$(free_port) timeout 30 "$QS" 2>&1; echo "exit=$?")
check_contains "quickstart: an unreachable Redis exits 1" "exit=1" "$out"
check_contains "quickstart: the startup error names the variable" "Redis does not answer" "$out"

# Messages/s through each backplane beside the in-memory hub, one run.
for m in redis nats; do
  log="$ARTIFACTS/backplanes-bench-$m.log"
  if (cd "$ROOT/backplane/$m" && go test -run '^$' -bench Throughput -benchtime 50000x .) >"$log" 2>&1; then
    ok "throughput ($m): $(grep -E '^BenchmarkThroughput' "$log" | awk '{sub(/BenchmarkThroughput\//,"",$1); sub(/-[0-9]+$/,"",$1); printf "%s %s msgs/s, %s dropped; ", $1, $7, $5}')"
  else
    fail "throughput ($m), log $log"
  fi
done
finish
