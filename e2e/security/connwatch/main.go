// Command connwatch measures, from the server's side, how long each TCP
// connection to a port stays established: it polls /proc/net/tcp and
// tcp6 (Linux) and follows every socket whose local port is the server's
// and whose state is ESTABLISHED. A server closing a connection moves
// its socket out of that state at once, even when the kernel still holds
// unsent data for a client that reads slowly, so this sees what a slow
// client itself cannot.
//
//	connwatch -port 8080 -for 25s -limit 4s
//
// It prints one summary line and exits 1 when a connection lived longer
// than -limit, or none was seen.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	port := flag.Int("port", 0, "server port")
	dur := flag.Duration("for", 20*time.Second, "how long to watch")
	limit := flag.Duration("limit", 0, "longest a connection may live; 0 only reports")
	every := flag.Duration("every", 100*time.Millisecond, "poll interval")
	name := flag.String("name", "connections", "what is watched, for the summary line")
	flag.Parse()
	if *port <= 0 {
		fmt.Fprintln(os.Stderr, "connwatch: -port is required")
		os.Exit(2)
	}
	hexPort := fmt.Sprintf("%04X", *port)
	first := map[string]time.Time{} // peer -> first seen
	var lives []time.Duration
	peak := 0
	end := time.Now().Add(*dur)
	for time.Now().Before(end) {
		now := time.Now()
		seen := established(hexPort)
		peak = max(peak, len(seen))
		for peer := range seen {
			if _, ok := first[peer]; !ok {
				first[peer] = now
			}
		}
		for peer, t := range first {
			if !seen[peer] {
				lives = append(lives, now.Sub(t))
				delete(first, peer)
			}
		}
		time.Sleep(*every)
	}
	open := 0
	for _, t := range first { // still open: judged by their age so far
		lives = append(lives, time.Since(t))
		open++
	}
	slices.Sort(lives)
	over := 0
	for _, l := range lives {
		if *limit > 0 && l > *limit {
			over++
		}
	}
	pct := func(p float64) time.Duration {
		if len(lives) == 0 {
			return 0
		}
		return lives[min(len(lives)-1, int(p*float64(len(lives))))].Round(100 * time.Millisecond)
	}
	verdict := "ok  "
	if len(lives) == 0 || over > 0 {
		verdict = "FAIL"
	}
	fmt.Printf("%s %s: %d connections (peak %d at once, %d still open), lifetime p50 %v p99 %v max %v, over %v: %d\n",
		verdict, *name, len(lives), peak, open, pct(0.5), pct(0.99), pct(1), *limit, over)
	if verdict == "FAIL" {
		os.Exit(1)
	}
}

// established returns the peers of the ESTABLISHED sockets whose local
// port is hexPort.
func established(hexPort string) map[string]bool {
	out := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		file, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(file)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 || fields[3] != "01" { // 01: ESTABLISHED
				continue
			}
			if _, p, ok := strings.Cut(fields[1], ":"); ok && p == hexPort {
				out[fields[2]] = true
			}
		}
		file.Close()
	}
	return out
}
