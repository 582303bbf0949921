package redis_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rateLimitRedis is a redis-server of its own, on a free loopback port,
// stopped when the test ends.
type rateLimitRedis struct {
	addr string
	cmd  *exec.Cmd
}

// startRateLimitRedis starts redis-server from PATH. Without it the test
// is skipped under -short (make test) and fails otherwise (make e2e
// installs it).
func startRateLimitRedis(t *testing.T) *rateLimitRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if testing.Short() {
			t.Skip("redis-server not found in PATH (Debian package redis-server; make e2e installs it)")
		}
		t.Fatal("redis-server not found in PATH: install the Debian package redis-server (e2e/setup.sh does)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--loglevel", "notice")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &rateLimitRedis{addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(r.stop)
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var lines []string
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
			lines = append(lines, sc.Text())
		}
		ready <- fmt.Errorf("redis-server exited before it was ready:\n%s", strings.Join(lines, "\n"))
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("redis-server did not say it was ready within 20 s")
	}
	return r
}

func (r *rateLimitRedis) stop() {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

func (r *rateLimitRedis) client(t *testing.T) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: r.addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// limitedInstance is one app instance: its own Redis client and limiter,
// sharing the budget with the others through Redis.
func limitedInstance(t *testing.T, r *rateLimitRedis, failClosed bool) *httptest.Server {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.RateLimit(middleware.RateLimitConfig{
		Rate:  middleware.Rate{Limit: 5, Period: time.Minute},
		Key:   middleware.KeyByHeader("X-API-Key"),
		Store: hlredis.NewRateLimitStore(r.client(t), ""), FailClosed: failClosed,
		Logger: quiet,
	}))
	s.Post("/pets", func(c *hyperlane.Context) error { return c.Text(201, "created") })
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

func post(t *testing.T, ts *httptest.Server, key string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/pets", nil)
	req.Header.Set("X-API-Key", key)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestRateLimitStoreSharesOneBudgetAcrossInstances(t *testing.T) {
	r := startRateLimitRedis(t)
	a, b := limitedInstance(t, r, false), limitedInstance(t, r, false)
	for i, ts := range []*httptest.Server{a, b, a, b, a} {
		resp := post(t, ts, "k1")
		want := fmt.Sprintf(`"default";r=%d;t=%d`, 4-i, 12*(i+1))
		if resp.StatusCode != 201 || resp.Header.Get("RateLimit") != want {
			t.Fatalf("write %d: status %d RateLimit %q, want 201 and %s", i+1, resp.StatusCode, resp.Header.Get("RateLimit"), want)
		}
	}
	for _, ts := range []*httptest.Server{b, a} {
		resp := post(t, ts, "k1")
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "12" ||
			resp.Header.Get("RateLimit") != `"default";r=0;t=60` || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("6th write: status %d Retry-After %q RateLimit %q Content-Type %q; want 429, 12, r=0;t=60, problem+json",
				resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("RateLimit"), resp.Header.Get("Content-Type"))
		}
	}
	if resp := post(t, b, "k2"); resp.StatusCode != 201 {
		t.Fatalf("another key: status %d, want 201", resp.StatusCode)
	}
}

func TestRateLimitStoreRefillsAndExpires(t *testing.T) {
	r := startRateLimitRedis(t)
	c := r.client(t)
	store := hlredis.NewRateLimitStore(c, "test:")
	ctx := context.Background()
	rate := middleware.Rate{Limit: 5, Period: time.Minute}
	for range 5 {
		if res, err := store.Take(ctx, "k", rate, 1); err != nil || !res.Allowed {
			t.Fatalf("take: %+v %v", res, err)
		}
	}
	res, err := store.Take(ctx, "k", rate, 1)
	if err != nil || res.Allowed || res.RetryAfter <= 11*time.Second || res.RetryAfter > 12*time.Second {
		t.Fatalf("6th take: %+v %v; want refused, retry in (11 s, 12 s]", res, err)
	}
	// The key lives only until its budget is whole again.
	ttl, err := c.PTTL(ctx, "test:k").Result()
	if err != nil || ttl <= 59*time.Second || ttl > time.Minute {
		t.Fatalf("PTTL %v %v, want just under 60 s", ttl, err)
	}
	// Move the key's clock 12 s back instead of waiting: one request
	// comes back, and only one.
	tat, err := c.Get(ctx, "test:k").Int64()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "test:k", tat-12_000_000, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if res, err := store.Take(ctx, "k", rate, 1); err != nil || !res.Allowed || res.Remaining != 0 {
		t.Fatalf("after 12 s: %+v %v, want allowed with 0 remaining", res, err)
	}
	if res, _ := store.Take(ctx, "k", rate, 1); res.Allowed {
		t.Fatal("a second request came back after one interval")
	}
	if _, err := store.Take(ctx, "k", rate, 6); !errors.Is(err, middleware.ErrRateLimitTake) {
		t.Fatalf("6 at once under 5/1m: %v, want ErrRateLimitTake", err)
	}
}

func TestRateLimitStoreIsAtomicAcrossClients(t *testing.T) {
	r := startRateLimitRedis(t)
	stores := []*hlredis.RateLimitStore{
		hlredis.NewRateLimitStore(r.client(t), ""), hlredis.NewRateLimitStore(r.client(t), ""),
	}
	rate := middleware.Rate{Limit: 10, Period: time.Hour}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			res, err := stores[i%2].Take(context.Background(), "shared", rate, 1)
			if err != nil {
				t.Error(err)
			}
			if res.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 10 {
		t.Fatalf("%d of 100 concurrent takes over two clients allowed, want exactly 10", allowed.Load())
	}
}

func TestRateLimitStoreDown(t *testing.T) {
	r := startRateLimitRedis(t)
	open, closed := limitedInstance(t, r, false), limitedInstance(t, r, true)
	r.stop()
	if resp := post(t, open, "k"); resp.StatusCode != 201 || resp.Header.Get("RateLimit") != "" {
		t.Fatalf("fail open with Redis down: status %d RateLimit %q, want 201 without headers", resp.StatusCode, resp.Header.Get("RateLimit"))
	}
	if resp := post(t, closed, "k"); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("fail closed with Redis down: status %d Retry-After %q, want 503 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
