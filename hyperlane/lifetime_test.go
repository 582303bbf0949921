package hyperlane_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestLateContextUseUnderLoad is the process-killing misuse of issue 11:
// handlers start goroutines that use their Context 10 ms after returning,
// while other clients keep the server busy over real sockets, so the
// pooled state behind the Context serves other requests meanwhile. The
// server must stay up, every response must carry its own marker and no
// other, the late calls must report ErrContextReleased or zero values,
// and the misuse is logged once, with the late goroutine's stack.
func TestLateContextUseUnderLoad(t *testing.T) {
	const victims, workers = 16, 6
	s, logs := rtServer()
	var (
		served     atomic.Int64 // load requests answered correctly
		loadFailed atomic.Bool
		gatesMu    sync.Mutex
		gates      = map[string]chan struct{}{}
		late       sync.WaitGroup
		faults     = make(chan string, victims)
	)
	gate := func(marker string) chan struct{} {
		gatesMu.Lock()
		defer gatesMu.Unlock()
		if gates[marker] == nil {
			gates[marker] = make(chan struct{})
		}
		return gates[marker]
	}
	answer := func(c *hyperlane.Context) error {
		body, err := c.Body()
		if err != nil {
			return err
		}
		m := c.Param("marker")
		c.SetHeader("X-Marker", m)
		return c.Text(http.StatusOK, "marker="+m+" body="+string(body)+" header="+c.Header("X-Marker"))
	}
	s.Post("/work/{marker}", answer)
	s.Post("/stale/{marker}", func(c *hyperlane.Context) error {
		marker, opened := c.Param("marker"), gate(c.Param("marker"))
		late.Add(1)
		go func() {
			defer late.Done()
			<-opened // the connection's next request runs: this one was released
			// The scenario: the late use comes 10 ms after the
			// release (ensured above), while other requests are served.
			time.Sleep(10 * time.Millisecond)
			// Keep at it until the load got answers meanwhile.
			until := served.Load() + 2*workers
			if fault := useLate(c, marker, func() bool { return served.Load() >= until || loadFailed.Load() }); fault != "" {
				faults <- fault
			}
		}()
		return answer(c)
	})
	s.Get("/released/{marker}", func(c *hyperlane.Context) error {
		close(gate(c.Param("marker")))
		return c.Text(http.StatusOK, "released "+c.Param("marker"))
	})
	addr := rtServe(t, s)

	// Load: until every late goroutine is done, workers send requests
	// with unique markers and check that each answer is their own.
	stop := make(chan struct{})
	loadErrs := make(chan error, workers)
	var load sync.WaitGroup
	for w := range workers {
		load.Go(func() {
			client := &http.Client{Transport: &http.Transport{}, Timeout: rtGuard}
			defer client.CloseIdleConnections()
			for i := 0; ; i++ {
				select {
				case <-stop:
					if i > 20 {
						return
					}
				default:
				}
				m := fmt.Sprintf("w%d-%d", w, i)
				resp, err := client.Post("http://"+addr+"/work/"+m, "text/plain", strings.NewReader(m))
				if err == nil {
					err = ownAnswer(resp, m)
				}
				if err != nil {
					loadErrs <- fmt.Errorf("request %s: %w", m, err)
					loadFailed.Store(true)
					return
				}
				served.Add(1)
			}
		})
	}

	var clients sync.WaitGroup
	clientErrs := make(chan error, victims)
	for v := range victims {
		clients.Go(func() {
			if err := staleClient(addr, fmt.Sprintf("v%d", v)); err != nil {
				clientErrs <- err
			}
		})
	}
	clients.Wait()
	late.Wait()
	close(stop)
	load.Wait()
	close(loadErrs)
	close(clientErrs)
	close(faults)
	for err := range loadErrs {
		t.Error(err)
	}
	for err := range clientErrs {
		t.Error(err)
	}
	for f := range faults {
		t.Error(f)
	}
	if t.Failed() {
		return
	}
	// Still up.
	resp, err := http.Post("http://"+addr+"/work/after", "text/plain", strings.NewReader("after"))
	if err != nil {
		t.Fatalf("server down after the late uses: %v", err)
	}
	if err := ownAnswer(resp, "after"); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if n := strings.Count(out, "Context used after its handler returned;"); n != 1 {
		t.Fatalf("misuse logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "useLate") {
		t.Fatalf("misuse log is not a warning with the late goroutine's stack:\n%s", out)
	}
	t.Logf("%d load requests answered correctly beside %d late goroutines", served.Load(), victims)
}

// ownAnswer checks that resp answers the request marked m, and carries
// nothing of any other request.
func ownAnswer(resp *http.Response, m string) error {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading answer to %s: %w", m, err)
	}
	want := "marker=" + m + " body=" + m + " header="
	if resp.StatusCode != http.StatusOK || string(body) != want || resp.Header.Get("X-Marker") != m ||
		len(resp.Header.Values("X-Marker")) != 1 || resp.Header.Get("X-Late") != "" {
		return fmt.Errorf("request %s got %d %q, X-Marker %q, X-Late %q; want 200 %q, X-Marker %q",
			m, resp.StatusCode, body, resp.Header.Values("X-Marker"), resp.Header.Get("X-Late"), want, m)
	}
	return nil
}

// staleClient sends, on one raw connection, a request whose handler
// leaves a goroutine holding its Context, then the request that tells
// that goroutine the first one was released (net/http serves a
// connection's requests one after the other), and checks both answers.
func staleClient(addr, m string) error {
	conn, err := net.DialTimeout("tcp", addr, rtGuard)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(rtGuard))
	br := bufio.NewReader(conn)
	fmt.Fprintf(conn, "POST /stale/%s HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", m, len(m), m)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("stale request %s: %w", m, err)
	}
	if err := ownAnswer(resp, m); err != nil {
		return err
	}
	fmt.Fprintf(conn, "GET /released/%s HTTP/1.1\r\nHost: x\r\n\r\n", m)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("release request %s: %w", m, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "released "+m || resp.Header.Get("X-Late") != "" || resp.Header.Get("X-Marker") != "" {
		return fmt.Errorf("release request %s got %q, header %v", m, body, resp.Header)
	}
	return nil
}

// useLate is the late goroutine's work on a released Context c: reads,
// header and body writes, body reads. It returns what went wrong, or "".
// Its name is what the misuse log's stack must show.
func useLate(c *hyperlane.Context, m string, enough func() bool) (fault string) {
	defer func() {
		if p := recover(); p != nil {
			fault = fmt.Sprintf("late use by %s panicked: %v", m, p)
		}
	}()
	for i := 0; i < 20 || !enough(); i++ { // again and again, while the state serves others
		if v := c.Param("marker"); v != "" {
			return fmt.Sprintf("late Param read %q", v)
		}
		if v := c.Header("Content-Type"); v != "" {
			return fmt.Sprintf("late Header read %q", v)
		}
		c.SetHeader("X-Late", m).SetHeader("X-Marker", "late-"+m)
		for name, err := range map[string]error{
			"Text":     c.Text(http.StatusTeapot, "late "+m),
			"JSON":     c.JSON(http.StatusTeapot, map[string]string{"late": m}),
			"BindJSON": c.BindJSON(new(map[string]any)),
		} {
			if !errors.Is(err, hyperlane.ErrContextReleased) {
				return fmt.Sprintf("late %s returned %v, want ErrContextReleased", name, err)
			}
		}
		if b, err := c.Body(); b != nil || !errors.Is(err, hyperlane.ErrContextReleased) {
			return fmt.Sprintf("late Body returned %q, %v", b, err)
		}
		if n, err := c.Write([]byte("late " + m)); n != 0 || !errors.Is(err, hyperlane.ErrContextReleased) {
			return fmt.Sprintf("late Write returned %d, %v", n, err)
		}
	}
	return ""
}

// TestConnGetRacingHandlerReturn has a goroutine call Conn.Get in a loop
// while the WebSocket handler returns and its Context is released, with
// other requests reusing pooled state. Get must find the socket's own
// attribute until it finds nothing, and the race detector must see no
// read of the Context after its release (go test -race).
func TestConnGetRacingHandlerReturn(t *testing.T) {
	t.Parallel()
	const clientsAtOnce, rounds, getters = 1, 60, 4
	s, _ := rtServer()
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.Set("user", c.Query("user"))
		return nil
	})
	s.Get("/user", func(c *hyperlane.Context) error {
		v, _ := c.Get("user")
		return c.Text(http.StatusOK, fmt.Sprint(v))
	})
	results := make(chan error, clientsAtOnce*rounds*getters)
	var loops sync.WaitGroup
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		want := c.Query("user")
		var reading sync.WaitGroup
		for range getters {
			reading.Add(1)
			loops.Add(1)
			go func() {
				defer loops.Done()
				for first := true; ; first = false {
					v, ok := ws.Get("user")
					if !ok {
						results <- nil
						return
					}
					if v != want {
						results <- fmt.Errorf("Conn.Get(user) = %v on the socket of %s", v, want)
						return
					}
					if first {
						reading.Done()
					}
				}
			}()
		}
		reading.Wait()
		return nil // while the goroutines are still in Get
	})
	addr := rtServe(t, s)
	stop := make(chan struct{})
	var load sync.WaitGroup
	load.Go(func() { // other requests, to reuse the released state at once
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := http.Get(fmt.Sprintf("http://%s/user?user=http-%d", addr, i))
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	var clients sync.WaitGroup
	for cl := range clientsAtOnce {
		clients.Go(func() {
			for i := range rounds {
				ws, _, err := websocket.Dial(rtCtx(t), fmt.Sprintf("ws://%s/ws?user=ws-%d-%d", addr, cl, i), nil)
				if err != nil {
					t.Error(err)
					return
				}
				<-ws.CloseRead(rtCtx(t)).Done() // answers the server's close
			}
		})
	}
	clients.Wait()
	close(stop)
	load.Wait()
	loops.Wait()
	close(results)
	n := 0
	for err := range results {
		if n++; err != nil {
			t.Error(err)
		}
	}
	if n != clientsAtOnce*rounds*getters {
		t.Fatalf("%d Get loops ended, want %d", n, clientsAtOnce*rounds*getters)
	}
}
