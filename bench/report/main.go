// Command report renders a stored benchmark run into docs/benchmarks.md
// and the SVG chart it shows. Run it from bench/ (run.sh does, after the
// measurements):
//
//	go run ./report [-in results/latest.json] [-micro results/micro.txt]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/hyperlane-go/hyperlane/bench/figures"
)

func main() {
	in := flag.String("in", "results/latest.json", "stored run")
	micro := flag.String("micro", "results/micro.txt", "benchstat output of make bench-micro (optional)")
	microDir := flag.String("micro-runs", "results/micro", "raw runs of make bench-micro, one NAME.txt per implementation (optional)")
	md := flag.String("md", "../docs/benchmarks.md", "page to write")
	svg := flag.String("svg", "../docs/benchmarks.svg", "chart to write")
	flag.Parse()
	log.SetFlags(0)

	run, err := figures.Load(*in)
	if err != nil {
		log.Fatal(err)
	}
	microText, err := os.ReadFile(*micro)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Fatal(err)
	}
	s := figures.Summarize(run)
	mc, err := loadMicro(*microDir)
	if err != nil {
		log.Fatal(err)
	}

	var chart, page bytes.Buffer
	figures.WriteChart(&chart, s)
	rel, err := filepath.Rel(filepath.Dir(*md), *svg)
	if err != nil {
		rel = *svg
	}
	figures.WritePage(&page, s, filepath.ToSlash(rel), string(microText), mc)
	if err := os.WriteFile(*svg, chart.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*md, page.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s and %s\n", *md, *svg)
}

// loadMicro reads every NAME.txt of dir, or nothing when dir is missing.
func loadMicro(dir string) (figures.Micro, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	mc := figures.Micro{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		b, err := figures.ParseBench(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		mc[strings.TrimSuffix(filepath.Base(f), ".txt")] = b
	}
	return mc, nil
}
