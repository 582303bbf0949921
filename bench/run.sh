#!/usr/bin/env bash
# make bench: Hyperlane side by side with raw net/http, ServeMux, chi, gin,
# echo, huma v2, fiber and a raw-TCP ceiling, on loopback. Builds every
# server, runs rotated rounds (bench/runner), then writes
# docs/benchmarks.md and docs/benchmarks.svg (bench/report).
#
# Flags go to the runner, e.g.:
#   bash bench/run.sh -rounds 3 -duration 3s -scenarios plaintext,param
#   bash bench/run.sh -contenders hyperlane,chi
# Default: 10 rounds x 5 s per contender and scenario, 1 s warm-up each.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v wrk >/dev/null 2>&1; then
	echo "bench: installing wrk" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq && $sudo apt-get install -y -qq wrk >/dev/null
fi
command -v taskset >/dev/null 2>&1 || { echo "bench: taskset (util-linux) is required" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
	echo "bench: fewer than 2 CPUs; servers and load share CPU 0, figures mean little" >&2
	set -- -load-cpu 0 "$@"
fi

mkdir -p bin results
go build -o bin/ ./server ./wsload ./runner

# The runner stops its servers itself; this is the backstop when it is
# killed: stop exactly the pids it wrote, nothing else.
pidfile=results/.pids
cleanup() {
	if [ -f "$pidfile" ]; then
		while read -r pid; do
			[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
		done <"$pidfile"
		rm -f "$pidfile"
	fi
}
trap cleanup EXIT INT TERM

out=results/latest.json
prev=""
for a in "$@"; do
	[ "$prev" = "-out" ] && out=$a
	prev=$a
done
bin/runner -pidfile "$pidfile" "$@"
go run ./report -in "$out"
