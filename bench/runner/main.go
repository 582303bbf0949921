// Command runner measures every contender of bench/server side by side:
// it starts one server per contender pinned to one CPU, checks each answer
// once, then runs rotated rounds of load from another CPU and stores every
// figure in results/latest.json. run.sh builds and calls it; see
// docs/benchmarks.md for what the figures mean.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hyperlane-go/hyperlane/bench/figures"
)

type options struct {
	rounds     int
	duration   time.Duration
	warmup     time.Duration
	conns      int
	discard    float64
	maxNoise   float64
	serverCPU  string
	loadCPU    string
	bin        string
	out        string
	pidFile    string
	only       string
	contenders string
	args       []string
}

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", figures.DefaultRounds, "rounds per contender and scenario")
	flag.DurationVar(&o.duration, "duration", figures.DefaultDuration, "load time per measurement")
	flag.DurationVar(&o.warmup, "warmup", figures.DefaultWarmup, "load time of the one warm-up per contender and scenario")
	flag.IntVar(&o.conns, "conns", figures.DefaultConnections, "concurrent connections of the load generator")
	flag.Float64Var(&o.discard, "discard", figures.DefaultDiscard, "drop a round when the ceiling fell below this fraction of its median")
	flag.Float64Var(&o.maxNoise, "max-noise", figures.DefaultMaxNoise, "set a measurement aside when other processes took more than this share of the CPUs (0: never)")
	flag.StringVar(&o.serverCPU, "server-cpu", "0", "taskset CPU list of the servers")
	flag.StringVar(&o.loadCPU, "load-cpu", "1", "taskset CPU list of the load generator")
	flag.StringVar(&o.bin, "bin", "bin", "directory of the server and wsload binaries")
	flag.StringVar(&o.out, "out", "results/latest.json", "where to store the run")
	flag.StringVar(&o.pidFile, "pidfile", "", "write the pids of the started servers here, one a line")
	flag.StringVar(&o.only, "scenarios", "", "comma-separated scenarios to run (default all)")
	flag.StringVar(&o.contenders, "contenders", "", "comma-separated contenders to run (default all)")
	flag.Parse()
	o.args = os.Args[1:]
	log.SetFlags(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal("runner: ", err)
	}
}

func run(ctx context.Context, o options) error {
	plan := planCells(o)
	if len(plan) == 0 {
		return fmt.Errorf("nothing to run")
	}
	servers, err := startServers(ctx, o, plan)
	defer servers.stop()
	if err != nil {
		return err
	}
	plan = servers.check(ctx, plan)
	if len(plan) == 0 {
		return fmt.Errorf("no contender answered correctly")
	}
	n := 0
	for _, sc := range plan {
		n += len(sc.Contenders)
	}
	est := time.Duration(n) * (time.Duration(o.rounds)*(o.duration+300*time.Millisecond) + o.warmup)
	log.Printf("%d measurements per round, %d rounds of %s: about %s", n, o.rounds, o.duration, est.Round(time.Minute))

	ld := loader{o: o, servers: servers}
	rec := &figures.Run{
		Date:    time.Now().UTC(),
		Commit:  commit(),
		Machine: machine(o),
		Config: figures.Config{Rounds: o.rounds, Duration: o.duration, Warmup: o.warmup,
			Connections: o.conns, Discard: o.discard, MaxNoise: o.maxNoise},
		Commands: ld.commands(),
	}
	for _, sc := range plan {
		for _, ct := range sc.Contenders {
			if _, err := ld.measure(ctx, sc.Name, ct, o.warmup); err != nil {
				return fmt.Errorf("warm-up %s %s: %w", sc.Name, ct, err)
			}
		}
	}
	for round := 1; round <= o.rounds; round++ {
		for _, sc := range plan {
			order := rotate(sc.Contenders, round-1)
			for _, ct := range order {
				c, err := ld.measure(ctx, sc.Name, ct, o.duration)
				if err != nil {
					return fmt.Errorf("round %d %s %s: %w", round, sc.Name, ct, err)
				}
				c.Round = round
				rec.Cells = append(rec.Cells, c)
				log.Printf("round %2d/%d  %-10s %-10s %9.0f/s  p99 %7.0f µs  cpu %5.1f µs/req  noise %3.0f%%  errors %d",
					round, o.rounds, sc.Name, ct, c.RPS, c.P99us, c.CPUus, c.Noise*100, c.Errors)
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	if err := rec.Save(o.out); err != nil {
		return err
	}
	printSummary(figures.Summarize(rec))
	log.Printf("stored %s", o.out)
	return nil
}

// planCells is the scenarios and contenders the flags select.
func planCells(o options) []figures.Scenario {
	pick := func(list, name string) bool {
		return list == "" || slices.Contains(strings.Split(list, ","), name)
	}
	var plan []figures.Scenario
	for _, sc := range figures.Scenarios {
		if !pick(o.only, sc.Name) {
			continue
		}
		var cs []string
		for _, ct := range sc.Contenders {
			// The ceiling and the baseline stay in: rounds are judged
			// and ratios taken against them.
			if pick(o.contenders, ct) || ct == figures.Ceiling || ct == figures.Baseline {
				cs = append(cs, ct)
			}
		}
		sc.Contenders = cs
		plan = append(plan, sc)
	}
	return plan
}

func rotate(s []string, k int) []string {
	k %= len(s)
	return append(slices.Clone(s[k:]), s[:k]...)
}

func machine(o options) figures.Machine {
	m := figures.Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), ServerCPU: o.serverCPU, LoadCPU: o.loadCPU}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("wrk", "-v").CombinedOutput(); len(out) > 0 {
		_ = err // wrk -v exits 1 after printing its version
		m.Wrk = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
		m.Wrk, _, _ = strings.Cut(m.Wrk, " [")
	}
	return m
}

// commit names the tree being measured.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--", "..").Output(); err == nil && len(st) > 0 {
		c += "+dirty"
	}
	return c
}

func printSummary(s *figures.Summary) {
	noisy, all := s.SetAside()
	fmt.Printf("\nkept rounds %v, dropped as noisy %v; %d of %d measurements set aside as noisy\n\n", s.Kept, s.Dropped, noisy, all)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcontender\trate/s\tp99 µs\tcpu µs/req\tratio to net/http (min–max)\terrors\t")
	for _, r := range s.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1f\t%s\t%d\t\n", r.Scenario, r.Contender, r.RPS, r.P99us, r.CPUus, r.Ratio, r.Errors)
	}
	tw.Flush()
	fmt.Println()
	for _, c := range s.Checks() {
		met := map[bool]string{true: "met", false: "NOT met"}[c.Met]
		if !c.Known {
			met = "not measured"
		}
		fmt.Printf("  %-45s %-28s %s\n", c.Target, c.Figure, met)
	}
}
