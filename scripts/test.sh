#!/usr/bin/env bash
# make test: go vet + go test -race over each module given, in two lanes
# at once: the first module (the library, the longest) alone, the others
# one after another. Their tests mostly wait on sockets and timers, so
# two lanes nearly halve the time on two cores, while timing-sensitive
# tests keep a CPU. Each module's output is printed whole, in order.
# Fails when any module fails.
set -uo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
logs=$(mktemp -d); trap 'rm -rf "$logs"' EXIT
log() { echo "$logs/$(tr / _ <<<"$1").log"; }
# -short: make e2e runs the heavy tests in full. -parallel 8: parallel
# tests mostly wait out timeouts on sockets, not on the CPU.
module() { (cd "$1" && $go vet ./... && $go test -race -short -parallel 8 -count=1 ./...) >"$(log "$1")" 2>&1; echo $? >"$(log "$1").rc"; }
first=$1; shift
module "$first" &
for m in "$@"; do module "$m"; done &
wait
status=0
for m in "$first" "$@"; do
  echo "go vet + go test: $m"
  cat "$(log "$m")"
  rc=$(cat "$(log "$m").rc")
  [ "$rc" -eq 0 ] || { echo "make test: $m failed (exit $rc)"; status=1; }
done
exit $status
