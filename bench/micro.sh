#!/usr/bin/env bash
# make bench-micro: the router micro-benchmarks of Hyperlane
# (hyperlane/bench_test.go) and of chi, ServeMux, gin, echo and httprouter
# (bench/micro), same case names, -count 10 interleaved (one run of each
# in turn), pinned to one CPU, compared by benchstat with Hyperlane as
# the base. The comparison is printed and stored in
# bench/results/micro.txt, which the report puts on docs/benchmarks.md.
#
#   COUNT=6 BENCHTIME=500ms bash bench/micro.sh
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-10}
benchtime=${BENCHTIME:-1s}
cpu=${BENCH_CPU:-0}
peers=(chi servemux gin echo httprouter)

mkdir -p bin results/micro
(cd .. && go test -c -o bench/bin/hyperlane.test ./hyperlane)
go test -c -o bin/micro.test ./micro
go build -o bin/benchstat golang.org/x/perf/cmd/benchstat

rm -f results/micro/*.txt
args=(-test.run '^$' -test.bench '^BenchmarkRouter$' -test.benchmem -test.count 1 -test.benchtime "$benchtime")
for i in $(seq "$count"); do
	echo "bench-micro: run $i of $count" >&2
	(cd ../hyperlane && taskset -c "$cpu" ../bench/bin/hyperlane.test "${args[@]}") >>results/micro/hyperlane.txt
	for p in "${peers[@]}"; do
		(cd micro && taskset -c "$cpu" ../bin/micro.test "${args[@]}" -router "$p") >>"results/micro/$p.txt"
	done
done

files=(hyperlane=results/micro/hyperlane.txt)
for p in "${peers[@]}"; do files+=("$p=results/micro/$p.txt"); done
# Different packages, same case names: ignore pkg so they share a table.
bin/benchstat -ignore pkg "${files[@]}" | tee results/micro.txt
