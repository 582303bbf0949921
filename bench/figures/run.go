// Package figures holds what a run of the side-by-side benchmark measured
// and turns it into figures: medians, p99, paired ratios with their spread,
// the page docs/benchmarks.md and its SVG chart.
package figures

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Baseline is the contender every paired ratio is taken against: raw
// net/http (for WebSocket, bare coder/websocket on raw net/http).
const Baseline = "nethttp"

// Ceiling is the raw-TCP fixed-response server. Its plaintext figure in a
// round tells whether the machine was quiet during that round.
const Ceiling = "ceiling"

// The defaults of make bench.
const (
	DefaultRounds      = 10
	DefaultDuration    = 5 * time.Second
	DefaultWarmup      = time.Second
	DefaultConnections = 64
	DefaultDiscard     = 0.9
	DefaultMaxNoise    = 0.1
)

// Run is one complete benchmark run, as stored in results/latest.json.
type Run struct {
	Date     time.Time `json:"date"`
	Commit   string    `json:"commit"` // git commit of the tree measured, "+dirty" when it had changes
	Machine  Machine   `json:"machine"`
	Config   Config    `json:"config"`
	Commands []string  `json:"commands"` // how to reproduce, and the load commands used
	Cells    []Cell    `json:"cells"`    // every measurement, in the order taken
}

// Machine describes where the run happened.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	Kernel    string `json:"kernel"`
	Go        string `json:"go"`
	Wrk       string `json:"wrk"`
	ServerCPU string `json:"server_cpu"` // taskset list of the servers
	LoadCPU   string `json:"load_cpu"`   // taskset list of the load generator
}

// Config is how the run was set up.
type Config struct {
	Rounds      int           `json:"rounds"`
	Duration    time.Duration `json:"duration"`
	Warmup      time.Duration `json:"warmup"`
	Connections int           `json:"connections"`
	Discard     float64       `json:"discard"`   // a round is dropped below this fraction of the ceiling's median
	MaxNoise    float64       `json:"max_noise"` // a measurement is set aside above this Noise
}

// Cell is one measurement: one contender, one scenario, one round.
type Cell struct {
	Scenario  string  `json:"scenario"`
	Contender string  `json:"contender"`
	Round     int     `json:"round"`
	RPS       float64 `json:"rps"`
	P99us     float64 `json:"p99_us"`
	CPUus     float64 `json:"cpu_us"` // server CPU time (user+system) per request, µs; 0 if unknown
	// Noise is the largest share of the server's or the load generator's
	// CPU that other processes used during the measurement (0 to 1).
	Noise  float64 `json:"noise"`
	Errors int     `json:"errors"` // socket errors and non-2xx answers
}

// Scenario is one workload and the contenders that serve it.
type Scenario struct {
	Name       string
	Title      string
	Contenders []string
}

// Scenarios lists the workloads in the order they are run and shown.
var Scenarios = []Scenario{
	{"plaintext", "plaintext GET /", []string{"ceiling", "nethttp", "servemux", "chi", "gin", "echo", "fiber", "hyperlane", "hyperlane-nodeadline", Metrics}},
	{"json", "JSON GET /json", []string{"nethttp", "servemux", "chi", "gin", "echo", "fiber", "hyperlane"}},
	{"param", "param GET /users/{id}", []string{"nethttp", "servemux", "chi", "gin", "echo", "fiber", "hyperlane", Metrics}},
	{"typed", "typed POST /pets/{id}?verbose=true", []string{"nethttp", "chi", "huma", "hyperlane"}},
	{"websocket", "WebSocket echo", []string{"nethttp", "hyperlane"}},
}

// Label is how a contender is named on the page, per scenario.
func Label(scenario, contender string) string {
	switch {
	case contender == "nethttp" && scenario == "websocket":
		return "coder/websocket on net/http"
	case contender == "nethttp" && scenario == "typed":
		return "net/http, by hand"
	case contender == "chi" && scenario == "typed":
		return "chi, by hand"
	case contender == "hyperlane" && scenario == "typed":
		return "hyperlane typed (openapi)"
	}
	if l, ok := labels[contender]; ok {
		return l
	}
	return contender
}

var labels = map[string]string{
	"ceiling":   "raw TCP ceiling",
	"nethttp":   "net/http",
	"servemux":  "ServeMux",
	"chi":       "chi",
	"gin":       "gin",
	"echo":      "echo",
	"fiber":     "fiber (fasthttp)",
	"huma":      "huma v2 on chi",
	"hyperlane": "hyperlane",

	"hyperlane-nodeadline": "hyperlane, write deadline off",
	Metrics:                "hyperlane + Prometheus metrics",
}

// Metrics is the contender that is Hyperlane with telemetry/metrics
// installed, to measure what the metrics cost per request.
const Metrics = "hyperlane+metrics"

// Load reads a run from a JSON file.
func Load(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Save writes a run as indented JSON.
func (r *Run) Save(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
