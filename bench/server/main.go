// Command server runs one contender of the side-by-side benchmark: a small
// server, written the way its framework's documentation shows, that
// answers the scenarios of bench/README.md. run.sh starts one per
// contender, pinned to one CPU.
//
//	server -fw chi -addr 127.0.0.1:8081
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"
)

// The scenario payloads, the same for every contender.
const (
	helloText = "Hello, World!"
	petName   = "Rex"
)

// message is the body of GET /json.
type message struct {
	Message string `json:"message"`
}

// contenders maps a name to the function that serves it on addr until
// the process is killed.
var contenders = map[string]func(addr string) error{}

func main() {
	fw := flag.String("fw", "", "contender to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (loopback)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here until SIGINT or SIGTERM")
	flag.Parse()
	serve, ok := contenders[*fw]
	if !ok {
		var names []string
		for n := range contenders {
			names = append(names, n)
		}
		slices.Sort(names)
		fmt.Fprintf(os.Stderr, "server: unknown -fw %q; one of %v\n", *fw, names)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		stop := profile(*cpuProfile)
		// Some servers stop on the signal themselves; the profile is
		// written either way.
		go func() { log.Print(serve(*addr)) }()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		stop()
		return
	}
	log.Fatal(serve(*addr))
}

// profile starts a CPU profile into path and returns what stops it.
func profile(path string) (stop func()) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// listenAndServe serves h on addr with the settings every net/http
// contender shares: the header and idle timeouts that Go's documentation
// asks production servers to set, equal to Hyperlane's defaults, so that
// the figures compare frameworks, not server configurations.
func listenAndServe(addr string, h http.Handler) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return srv.ListenAndServe()
}
