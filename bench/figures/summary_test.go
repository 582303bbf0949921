package figures

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// testRun builds a run from rates: rates[contender] is one figure per
// round, in the plaintext scenario.
func testRun(rates map[string][]float64) *Run {
	r := &Run{Config: Config{Rounds: 3, Duration: 5 * time.Second, Warmup: time.Second, Connections: 64, Discard: 0.9}}
	for ct, rs := range rates {
		for i, v := range rs {
			r.Cells = append(r.Cells, Cell{Scenario: "plaintext", Contender: ct, Round: i + 1, RPS: v, P99us: 1000, CPUus: 10})
		}
	}
	return r
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name        string
		rates       map[string][]float64
		kept        []int
		dropped     []int
		contender   string
		wantRatio   Spread
		wantRPSRows int
	}{
		{
			name: "ratio is paired within each round, then the median",
			rates: map[string][]float64{
				Ceiling:     {200, 200, 200},
				Baseline:    {100, 50, 80},
				"hyperlane": {99, 50, 84},
			},
			kept:      []int{1, 2, 3},
			contender: "hyperlane",
			wantRatio: Spread{Median: 1, Min: 0.99, Max: 1.05},
		},
		{
			name: "a round whose ceiling fell below 0.9x its median is dropped",
			rates: map[string][]float64{
				Ceiling:     {200, 100, 210},
				Baseline:    {100, 100, 100},
				"hyperlane": {90, 10, 100},
			},
			kept:      []int{1, 3},
			dropped:   []int{2},
			contender: "hyperlane",
			wantRatio: Spread{Median: 0.95, Min: 0.9, Max: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(testRun(tc.rates))
			if !slices.Equal(s.Kept, tc.kept) || !slices.Equal(s.Dropped, tc.dropped) {
				t.Fatalf("kept %v dropped %v, want %v %v", s.Kept, s.Dropped, tc.kept, tc.dropped)
			}
			row, ok := s.Row("plaintext", tc.contender)
			if !ok {
				t.Fatalf("no row for %s", tc.contender)
			}
			got := row.Ratio
			if !near(got.Median, tc.wantRatio.Median) || !near(got.Min, tc.wantRatio.Min) || !near(got.Max, tc.wantRatio.Max) {
				t.Errorf("ratio = %+v, want %+v", got, tc.wantRatio)
			}
			if row.Rounds != len(tc.kept) {
				t.Errorf("row has %d rounds, want %d", row.Rounds, len(tc.kept))
			}
		})
	}
}

func TestChecksJudgeTheTargets(t *testing.T) {
	s := Summarize(testRun(map[string][]float64{
		Ceiling:     {200, 200},
		Baseline:    {100, 100},
		"hyperlane": {99, 98},
		"gin":       {99, 99},
		"chi":       {95, 95},
	}))
	got := map[string]Check{}
	for _, c := range s.Checks() {
		got[c.Target] = c
	}
	for target, met := range map[string]bool{
		"plaintext: paired ratio to net/http ≥ 0.98": true,
		"plaintext: ahead of chi":                    true,
		"plaintext: ahead of gin":                    false,
	} {
		c, ok := got[target]
		if !ok || !c.Known || c.Met != met {
			t.Errorf("%s: %+v, want known and met=%v", target, c, met)
		}
	}
	if c := got["plaintext: ahead of echo"]; c.Known {
		t.Errorf("echo was not measured, yet the check is known: %+v", c)
	}
}

func TestPageAndChartShowTheRun(t *testing.T) {
	s := Summarize(testRun(map[string][]float64{
		Ceiling:     {200, 200},
		Baseline:    {100, 100},
		"hyperlane": {99, 98},
	}))
	s.run.Commands = []string{"make bench"}
	var page, chart bytes.Buffer
	WritePage(&page, s, "benchmarks.svg", "Router/static 10n", nil)
	WriteChart(&chart, s)
	for _, want := range []string{"![Paired ratio", "(benchmarks.svg)", "| **hyperlane** | 98 |", "0.98 (0.98–0.99)", "Router/static 10n", "make bench"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks %q:\n%s", want, page.String())
		}
	}
	svg := chart.String()
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>\n") || strings.Count(svg, "<rect") != 4 {
		t.Errorf("chart is not one background and three bars:\n%s", svg)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMicroChecks(t *testing.T) {
	parse := func(text string) map[string]Bench {
		b, err := ParseBench(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	m := Micro{
		"hyperlane": parse("BenchmarkRouter/static   1000  60.0 ns/op  0 B/op  0 allocs/op\n" +
			"BenchmarkRouter/static   1000  70.0 ns/op  0 B/op  0 allocs/op\n" +
			"BenchmarkRouter/static   1000  99.0 ns/op  0 B/op  0 allocs/op\n" +
			"BenchmarkRouter/param-2  1000  150 ns/op  0 B/op  0 allocs/op\n" +
			"BenchmarkRouter/github   10  40000 ns/op  0 B/op  0 allocs/op\n"),
		"servemux": parse("BenchmarkRouter/static 1000 80 ns/op\nBenchmarkRouter/param 1000 140 ns/op 16 B/op 1 allocs/op\n"),
		"chi":      parse("BenchmarkRouter/github 10 90000 ns/op 130000 B/op 740 allocs/op\n"),
	}
	if got := m["hyperlane"]["static"]; got.NsOp != 70 || got.Runs != 3 {
		t.Errorf("static = %+v, want the median 70 of 3 runs", got)
	}
	want := []bool{true, false, true} // static faster, param slower, github under half of chi
	checks := m.Checks()
	if len(checks) != len(want) {
		t.Fatalf("checks = %+v", checks)
	}
	for i, c := range checks {
		if !c.Known || c.Met != want[i] {
			t.Errorf("%s: %+v, want met=%v", c.Target, c, want[i])
		}
	}
}

func TestNoisyMeasurementsAreSetAside(t *testing.T) {
	r := testRun(map[string][]float64{
		Ceiling:     {200, 200, 200},
		Baseline:    {100, 100, 100},
		"hyperlane": {98, 20, 96},
	})
	r.Config.MaxNoise = 0.1
	for i, c := range r.Cells {
		if c.Contender == "hyperlane" && c.Round == 2 {
			r.Cells[i].Noise = 0.5 // a fuzzer shared the server's CPU
		}
	}
	s := Summarize(r)
	row, _ := s.Row("plaintext", "hyperlane")
	if row.Rounds != 2 || row.Noisy || !near(row.RPS, 97) || !near(row.Ratio.Min, 0.96) {
		t.Errorf("row = %+v, want the two quiet rounds only", row)
	}
	if noisy, all := s.SetAside(); noisy != 1 || all != 9 {
		t.Errorf("SetAside = %d of %d, want 1 of 9", noisy, all)
	}

	for i := range r.Cells {
		if r.Cells[i].Contender == "hyperlane" {
			r.Cells[i].Noise = 0.5
		}
	}
	row, _ = Summarize(r).Row("plaintext", "hyperlane")
	if row.Rounds != 3 || !row.Noisy || !near(row.Ratio.Median, 0.96) {
		t.Errorf("all noisy: row = %+v, want every kept round, marked noisy", row)
	}
}

func TestMetricsContenderIsShownAndJudged(t *testing.T) {
	s := Summarize(testRun(map[string][]float64{
		Ceiling:     {200, 200},
		Baseline:    {100, 100},
		"hyperlane": {100, 100},
		Metrics:     {96, 94},
	}))
	var page, chart bytes.Buffer
	WritePage(&page, s, "benchmarks.svg", "", nil)
	WriteChart(&chart, s)
	if !strings.Contains(page.String(), "| hyperlane + Prometheus metrics | 95 |") {
		t.Errorf("page lacks the metrics contender's row:\n%s", page.String())
	}
	if !strings.Contains(chart.String(), "hyperlane + Prometheus metrics") {
		t.Error("chart lacks the metrics contender")
	}
	var found bool
	for _, c := range s.Checks() {
		if c.Target == "plaintext: with metrics ≥ 0.95× without (paired)" {
			found = true
			if !c.Known || !c.Met || c.Figure != "0.95 (0.94–0.96)" {
				t.Errorf("metrics check = %+v, want known, met, 0.95 (0.94–0.96)", c)
			}
		}
	}
	if !found {
		t.Error("no check of the metrics cost")
	}
}
