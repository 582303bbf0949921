package hyperlane_test

// Real-time benchmarks (figures in docs/realtime.md):
//
//	go test -run '^$' -bench WebSocketEcho -benchtime 3s ./hyperlane/
//	go test -run '^$' -bench IdleMemory -benchtime 1x ./hyperlane/
//
// BenchmarkIdleMemory runs the server in a child process (this test
// binary again, see TestMain) so that 10,000 client sockets and 10,000
// server sockets each stay under a 20,000 open-file limit, and so that
// the server's memory is measured alone.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// idleServerEnv makes the test binary serve idle streams instead of
// running tests; BenchmarkIdleMemory starts it so.
const idleServerEnv = "HYPERLANE_BENCH_IDLE_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(idleServerEnv) != "" {
		runIdleServer()
		return
	}
	os.Exit(m.Run())
}

func quietServer() *hyperlane.Server {
	return hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
}

func wsURL(srv *httptest.Server, path string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + path
}

// BenchmarkWebSocketEcho measures echo round trips of a 64-byte text
// message over loopback, through hyperlane (default options: keep-alive,
// write timeout, UTF-8 check) and through coder/websocket alone, in the
// same run, over 1 and 16 connections.
func BenchmarkWebSocketEcho(b *testing.B) {
	hs := quietServer()
	hs.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for {
			typ, msg, err := ws.Read(ws.Context())
			if err != nil {
				return err
			}
			if err := ws.Write(ws.Context(), typ, msg); err != nil {
				return err
			}
		}
	})
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		ctx := context.Background() // the cheapest way to drive coder/websocket
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, msg); err != nil {
				return
			}
		}
	})
	msg := []byte(strings.Repeat("x", 64))
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"hyperlane", hs}, {"coder", bare}} {
		srv := httptest.NewServer(impl.h)
		for _, conns := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/conns=%d", impl.name, conns), func(b *testing.B) {
				ctx := context.Background()
				clients := make([]*websocket.Conn, conns)
				for i := range clients {
					c, _, err := websocket.Dial(ctx, wsURL(srv, "/ws"), nil)
					if err != nil {
						b.Fatal(err)
					}
					defer c.CloseNow()
					clients[i] = c
				}
				var next atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start, cpu0 := time.Now(), cpuTime()
				var wg sync.WaitGroup
				for _, c := range clients {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
								b.Error(err)
								return
							}
							if _, _, err := c.Read(ctx); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "round-trips/s")
				// CPU time of the process (client and server) per round
				// trip: steadier than wall time on a shared machine.
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
		srv.Close()
	}
}

// memReport is what the idle server says about itself.
type memReport struct {
	HeapStack  uint64 // HeapInuse + StackInuse after a GC
	RSS        uint64 // VmRSS
	Goroutines int
}

// BenchmarkIdleMemory measures the server's memory per idle client:
// 10,000 WebSocket connections whose handler waits in Read, as echo and
// chat handlers do; 10,000 whose handler waits on Done, as handlers that
// only write do; then 10,000 event streams. Each is held open by a raw
// socket that sent its handshake and then nothing.
func BenchmarkIdleMemory(b *testing.B) {
	const clients = 10000
	handshake := func(path string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	}
	for _, kind := range []struct{ name, request, status string }{
		{"websocket-reading", handshake("/ws/read"), "HTTP/1.1 101"}, // the handler waits in Read
		{"websocket-waiting", handshake("/ws/done"), "HTTP/1.1 101"}, // the handler waits on Done

		{"sse", "GET /sse HTTP/1.1\r\nHost: bench\r\n\r\n", "HTTP/1.1 200"},
	} {
		b.Run(kind.name, func(b *testing.B) {
			for range b.N {
				idleRound(b, clients, kind.request, kind.status)
			}
		})
	}
}

func idleRound(b *testing.B, clients int, request, status string) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), idleServerEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close() // the server exits when its stdin closes
		_ = cmd.Wait()
	}()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	open := func(n int) []net.Conn {
		conns := make([]net.Conn, n)
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 8 {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						b.Error(err)
						return
					}
					conns[i] = c
					if _, err := io.WriteString(c, request); err != nil {
						b.Error(err)
						return
					}
					head, err := bufio.NewReader(c).ReadString('\n')
					if err != nil || !strings.HasPrefix(head, status) {
						b.Errorf("handshake: %q %v", head, err)
						return
					}
				}
			})
		}
		wg.Wait()
		return conns
	}
	closeAll := func(conns []net.Conn) {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}
	warm := open(10) // pools and lazily made state go into the baseline
	before := readMem(b, addr)
	b.ResetTimer()
	conns := open(clients)
	after := readMem(b, addr)
	b.StopTimer()
	closeAll(conns)
	closeAll(warm)
	n := float64(clients)
	b.ReportMetric(float64(after.HeapStack-before.HeapStack)/n, "heap+stack-B/client")
	b.ReportMetric(float64(after.RSS-before.RSS)/n, "rss-B/client")
	b.ReportMetric(float64(after.Goroutines-before.Goroutines)/n, "goroutines/client")
}

func readMem(b *testing.B, addr string) memReport {
	resp, err := http.Get("http://" + addr + "/mem")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var m memReport
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		b.Fatal(err)
	}
	return m
}

// runIdleServer serves /ws and /sse as idle streams with their default
// settings, and /mem, until stdin closes.
func runIdleServer() {
	s := quietServer()
	s.WebSocket("/ws/read", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		_, _, err := ws.Read(ws.Context())
		return err
	})
	s.WebSocket("/ws/done", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		<-ws.Done()
		return nil
	})
	s.Get("/sse", func(c *hyperlane.Context) error {
		<-c.SSE().Done()
		return nil
	})
	s.Get("/mem", func(c *hyperlane.Context) error {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return c.JSON(http.StatusOK, memReport{HeapStack: ms.HeapInuse + ms.StackInuse, RSS: rss(), Goroutines: runtime.NumGoroutine()})
	})
	ln, err := s.Listen(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	_ = s.Serve(ln)
}

// cpuTime returns the user and system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss returns the resident set size of this process in bytes.
func rss() uint64 {
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
