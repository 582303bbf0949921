// Package micro holds the router micro-benchmarks of Hyperlane's peers,
// with the case names of hyperlane/bench_test.go so that benchstat can
// put them side by side: BenchmarkRouter/static (GET /hello), /param
// (GET /users/{id}), /json (GET /json) and /github (all 203 routes of the
// GitHub API once per operation). The peer is chosen with -router:
//
//	go test -bench Router -benchmem ./micro -args -router gin
//
// make bench-micro runs every peer and Hyperlane and compares them.
package micro
