// Command wsload is the WebSocket load generator of the benchmark (wrk
// does not speak WebSocket): -c connections each send a small text
// message, wait for its echo and send the next, for -d. It prints the
// same RESULT line as bench/wrk/report.lua: messages, duration in µs, p99
// round-trip latency in µs, errors, 0.
//
//	wsload -url ws://127.0.0.1:8080/ws -c 64 -d 5s
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"
)

func main() {
	url := flag.String("url", "", "WebSocket URL of an echo endpoint (loopback)")
	conns := flag.Int("c", 64, "connections")
	d := flag.Duration("d", 5*time.Second, "duration")
	size := flag.Int("size", 32, "message size in bytes")
	flag.Parse()
	log.SetFlags(0)
	if *url == "" {
		log.Fatal("wsload: -url is required")
	}
	msg := bytes.Repeat([]byte("x"), *size)

	ctx, cancel := context.WithTimeout(context.Background(), *d+10*time.Second)
	defer cancel()
	cs := make([]*websocket.Conn, *conns)
	for i := range cs {
		c, _, err := websocket.Dial(ctx, *url, nil)
		if err != nil {
			log.Fatalf("wsload: dial %s: %v", *url, err)
		}
		cs[i] = c
	}

	var (
		mu     sync.Mutex
		total  int
		errs   int
		sample []time.Duration
		wg     sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(*d)
	for _, c := range cs {
		wg.Go(func() {
			n, bad := 0, 0
			var lat []time.Duration
			for time.Now().Before(end) {
				t0 := time.Now()
				if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
					bad++
					break
				}
				_, b, err := c.Read(ctx)
				if err != nil || !bytes.Equal(b, msg) {
					bad++
					break
				}
				n++
				if n%8 == 0 { // a sample is enough for p99, and cheaper
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			total, errs, sample = total+n, errs+bad, append(sample, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, c := range cs {
		c.Close(websocket.StatusNormalClosure, "")
	}
	slices.Sort(sample)
	var p99 time.Duration
	if len(sample) > 0 {
		p99 = sample[len(sample)*99/100]
	}
	fmt.Printf("RESULT %d %d %d %d 0\n", total, elapsed.Microseconds(), p99.Microseconds(), errs)
}
