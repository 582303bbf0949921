package figures

import (
	"fmt"
	"slices"
)

// Summary is a run reduced to figures over the rounds that were kept.
type Summary struct {
	Kept    []int // rounds kept
	Dropped []int // rounds dropped as noisy (ceiling below Discard x its median)
	Rows    []Row
	run     *Run
	kept    map[int]bool
}

// Row is one contender in one scenario.
type Row struct {
	Scenario, Contender string
	RPS                 float64 // median requests (or messages) per second
	P99us               float64 // median of the rounds' p99 latency, microseconds
	CPUus               float64 // median server CPU time per request, microseconds
	Ratio               Spread  // paired ratio to the Baseline of the same round
	Errors              int     // over the measurements used
	Rounds              int     // measurements used: kept rounds, quiet ones when there are any
	Noisy               bool    // every measurement was noisy; the figures use them anyway
}

// Spread is a median with the lowest and highest value it came from.
type Spread struct{ Median, Min, Max float64 }

func (s Spread) String() string {
	if s.Median == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.Median, s.Min, s.Max)
}

// Summarize drops the noisy rounds and computes every row.
func Summarize(r *Run) *Summary {
	s := &Summary{run: r, kept: map[int]bool{}}
	ceil := map[int]float64{}
	var rounds []int
	for _, c := range r.Cells {
		if !slices.Contains(rounds, c.Round) {
			rounds = append(rounds, c.Round)
		}
		if c.Scenario == "plaintext" && c.Contender == Ceiling {
			ceil[c.Round] = c.RPS
		}
	}
	slices.Sort(rounds)
	var cv []float64
	for _, v := range ceil {
		cv = append(cv, v)
	}
	limit := r.Config.Discard * median(cv)
	for _, rd := range rounds {
		if v, ok := ceil[rd]; ok && v < limit {
			s.Dropped = append(s.Dropped, rd)
			continue
		}
		s.Kept = append(s.Kept, rd)
		s.kept[rd] = true
	}
	for _, sc := range Scenarios {
		for _, ct := range sc.Contenders {
			row := Row{Scenario: sc.Name, Contender: ct}
			cells := s.cells(sc.Name, ct, true)
			if len(cells) == 0 {
				cells, row.Noisy = s.cells(sc.Name, ct, false), true
			}
			if len(cells) == 0 {
				continue
			}
			var rps, p99, cpu []float64
			for _, c := range cells {
				rps, p99, cpu = append(rps, c.RPS), append(p99, c.P99us), append(cpu, c.CPUus)
				row.Errors += c.Errors
			}
			row.RPS, row.P99us, row.CPUus, row.Rounds = median(rps), median(p99), median(cpu), len(rps)
			row.Ratio = s.Paired(sc.Name, ct, Baseline)
			s.Rows = append(s.Rows, row)
		}
	}
	return s
}

// cells returns the measurements of a contender in a scenario from the
// kept rounds; with quiet set, only those taken while no other process
// used more than MaxNoise of the CPUs.
func (s *Summary) cells(scenario, ct string, quiet bool) []Cell {
	var out []Cell
	for _, c := range s.run.Cells {
		if c.Scenario == scenario && c.Contender == ct && s.kept[c.Round] && (!quiet || s.quiet(c)) {
			out = append(out, c)
		}
	}
	return out
}

func (s *Summary) quiet(c Cell) bool {
	return s.run.Config.MaxNoise <= 0 || c.Noise <= s.run.Config.MaxNoise
}

// SetAside counts the measurements of kept rounds taken while other
// processes used more than MaxNoise of the CPUs.
func (s *Summary) SetAside() (noisy, all int) {
	for _, c := range s.run.Cells {
		if s.kept[c.Round] {
			all++
			if !s.quiet(c) {
				noisy++
			}
		}
	}
	return noisy, all
}

// Paired is the ratio a/b of two contenders' rates, taken within each
// kept round (so both saw the same machine), with its spread. Rounds
// where both measurements were quiet are used when there are any.
func (s *Summary) Paired(scenario, a, b string) Spread {
	ratios := s.ratios(scenario, a, b, true)
	if len(ratios) == 0 {
		ratios = s.ratios(scenario, a, b, false)
	}
	if len(ratios) == 0 {
		return Spread{}
	}
	return Spread{Median: median(ratios), Min: slices.Min(ratios), Max: slices.Max(ratios)}
}

func (s *Summary) ratios(scenario, a, b string, quiet bool) []float64 {
	rb := map[int]float64{}
	for _, c := range s.cells(scenario, b, quiet) {
		rb[c.Round] = c.RPS
	}
	var out []float64
	for _, c := range s.cells(scenario, a, quiet) {
		if vb := rb[c.Round]; vb > 0 {
			out = append(out, c.RPS/vb)
		}
	}
	return out
}

// Row returns the row of a contender in a scenario.
func (s *Summary) Row(scenario, contender string) (Row, bool) {
	for _, r := range s.Rows {
		if r.Scenario == scenario && r.Contender == contender {
			return r, true
		}
	}
	return Row{}, false
}

// Check is one of the targets of the performance issue, judged on a run.
type Check struct {
	Target string
	Figure string
	Met    bool
	Known  bool // false when a contender was not measured
}

// Checks judges the run against Hyperlane's end-to-end targets.
func (s *Summary) Checks() []Check {
	var out []Check
	ratio := func(sc, ct string) (float64, bool) {
		r, ok := s.Row(sc, ct)
		return r.Ratio.Median, ok && r.Ratio.Median > 0
	}
	if h, ok := ratio("plaintext", "hyperlane"); ok {
		out = append(out, Check{"plaintext: paired ratio to net/http ≥ 0.98", fmt.Sprintf("%.3f", h), h >= 0.98, true})
	}
	for _, peer := range []string{"gin", "echo", "chi"} {
		h, ok1 := ratio("plaintext", "hyperlane")
		p, ok2 := ratio("plaintext", peer)
		out = append(out, Check{"plaintext: ahead of " + peer, fmt.Sprintf("%.3f vs %.3f", h, p), h > p, ok1 && ok2})
	}
	for _, sc := range []string{"json", "param"} {
		h, ok1 := ratio(sc, "hyperlane")
		p, ok2 := ratio(sc, "chi")
		out = append(out, Check{sc + ": ratio ≥ chi's", fmt.Sprintf("%.3f vs %.3f", h, p), h >= p, ok1 && ok2})
	}
	for _, sc := range []string{"plaintext", "param"} {
		m := s.Paired(sc, Metrics, "hyperlane")
		out = append(out, Check{sc + ": with metrics ≥ 0.95× without (paired)", m.String(), m.Median >= 0.95, m.Median > 0})
	}
	t := s.Paired("typed", "hyperlane", "huma")
	out = append(out, Check{"typed: ≥ 1.3× huma v2 (paired)", t.String(), t.Median >= 1.3, t.Median > 0})
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
