package figures

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Micro is the figures of make bench-micro: for each implementation
// (hyperlane, chi, servemux, ...), the median ns/op and allocs/op of each
// case (static, param, json, github).
type Micro map[string]map[string]Bench

// Bench is the median of one benchmark case over its runs.
type Bench struct {
	NsOp, AllocsOp float64
	Runs           int
}

// ParseBench reads `go test -bench` output and returns the median of each
// BenchmarkRouter case, by case name ("static" for BenchmarkRouter/static).
func ParseBench(r io.Reader) (map[string]Bench, error) {
	ns, allocs := map[string][]float64{}, map[string][]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkRouter/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkRouter/")
		if i := strings.LastIndexByte(name, '-'); i > 0 { // the -GOMAXPROCS suffix
			name = name[:i]
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", sc.Text(), err)
			}
			switch f[i+1] {
			case "ns/op":
				ns[name] = append(ns[name], v)
			case "allocs/op":
				allocs[name] = append(allocs[name], v)
			}
		}
	}
	out := map[string]Bench{}
	for name, v := range ns {
		out[name] = Bench{NsOp: median(v), AllocsOp: median(allocs[name]), Runs: len(v)}
	}
	return out, sc.Err()
}

// Checks judges the micro-benchmarks against Hyperlane's router targets.
func (m Micro) Checks() []Check {
	hl := m["hyperlane"]
	var out []Check
	for _, cs := range []string{"static", "param"} {
		h, ok1 := hl[cs]
		sm, ok2 := m["servemux"][cs]
		out = append(out, Check{cs + ": 0 allocs, at most ServeMux's ns/op",
			fmt.Sprintf("%.0f ns, %.0f allocs vs %.0f ns", h.NsOp, h.AllocsOp, sm.NsOp),
			h.AllocsOp == 0 && h.NsOp <= sm.NsOp, ok1 && ok2})
	}
	h, ok1 := hl["github"]
	c, ok2 := m["chi"]["github"]
	out = append(out, Check{"github (203 routes): 0 allocs, at most half of chi's time",
		fmt.Sprintf("%.1f µs, %.0f allocs; %.2f× chi", h.NsOp/1e3, h.AllocsOp, h.NsOp/c.NsOp),
		h.AllocsOp == 0 && h.NsOp <= c.NsOp/2, ok1 && ok2})
	if g, ok := m["gin"]["github"]; ok && ok1 {
		out = append(out, Check{"github: ratio to gin (for the record)", fmt.Sprintf("%.2f× gin's time", h.NsOp/g.NsOp), true, true})
	}
	return out
}
