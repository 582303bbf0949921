#!/usr/bin/env bash
# make test: go vet + go test -race over each module given, the modules at
# once (their tests mostly wait on sockets and timers, so two cores serve
# five modules in about the time of the slowest), each module's output
# printed whole, in order, when it ends. Fails when any module fails.
set -uo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
pids=()
for m in "$@"; do
  log="$logs/$(tr / _ <<<"$m").log"
  # -short: make e2e runs the heavy tests in full. -parallel 8: parallel
  # tests mostly wait out timeouts on sockets, not on the CPU.
  (cd "$m" && $go vet ./... && $go test -race -short -parallel 8 -count=1 ./...) >"$log" 2>&1 &
  pids+=($!)
done
status=0 i=0
for m in "$@"; do
  rc=0; wait "${pids[$i]}" || rc=$?
  echo "go vet + go test: $m"
  cat "$logs/$(tr / _ <<<"$m").log"
  [ "$rc" -eq 0 ] || { echo "make test: $m failed (exit $rc)"; status=1; }
  i=$((i + 1))
done
exit $status
