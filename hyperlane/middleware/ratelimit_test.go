package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

// fakeClock is an injectable clock: tests move time instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// sfItem is one parsed item of a RateLimit or RateLimit-Policy header:
// `"name";k=v;k=v`.
type sfItem struct {
	name   string
	params map[string]int64
}

// parseSFItem parses the header the way a client would, failing the test
// on anything that is not a quoted name followed by integer parameters.
func parseSFItem(t *testing.T, header, v string) sfItem {
	t.Helper()
	parts := strings.Split(v, ";")
	name, err := strconv.Unquote(parts[0])
	if err != nil {
		t.Fatalf("%s: %q: the name is not a quoted string", header, v)
	}
	it := sfItem{name: name, params: map[string]int64{}}
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		n, err := strconv.ParseInt(val, 10, 64)
		if !ok || err != nil || n < 0 {
			t.Fatalf("%s: %q: parameter %q is not key=non-negative-integer", header, v, p)
		}
		it.params[k] = n
	}
	return it
}

// limitedServer serves "ok" on GET /w behind limiter mws.
func limitedServer(mws ...middleware.Middleware) *hyperlane.Server {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, mws...)
	s.Get("/w", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	return s
}

func get(s *hyperlane.Server, remote string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/w", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return do(s, r)
}

func TestRateLimitAnswers429WithHeaders(t *testing.T) {
	clock := newFakeClock()
	store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{Now: clock.Now})
	s := limitedServer(middleware.RateLimit(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 5, Period: time.Minute}, Store: store,
	}))
	for i := range 5 {
		w := get(s, "192.0.2.1:1000")
		if w.Code != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, w.Code)
		}
		pol := parseSFItem(t, "RateLimit-Policy", w.Header().Get("RateLimit-Policy"))
		if pol.name != "default" || pol.params["q"] != 5 || pol.params["w"] != 60 {
			t.Fatalf("request %d: RateLimit-Policy %q, want \"default\";q=5;w=60", i+1, w.Header().Get("RateLimit-Policy"))
		}
		rl := parseSFItem(t, "RateLimit", w.Header().Get("RateLimit"))
		if rl.name != "default" || rl.params["r"] != int64(4-i) || rl.params["t"] != int64(12*(i+1)) {
			t.Fatalf("request %d: RateLimit %q, want r=%d;t=%d", i+1, w.Header().Get("RateLimit"), 4-i, 12*(i+1))
		}
		if w.Header().Get("Retry-After") != "" {
			t.Fatalf("request %d: Retry-After on an allowed response", i+1)
		}
	}
	w := get(s, "192.0.2.1:1000")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("6th request: status %d, want 429", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("429 Content-Type %q", ct)
	}
	var p hyperlane.HTTPError
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != 429 || p.Title != "Too Many Requests" {
		t.Fatalf("429 body %s (%v)", w.Body, err)
	}
	if got := w.Header().Get("Retry-After"); got != "12" {
		t.Fatalf("Retry-After %q, want 12", got)
	}
	if got := w.Header().Get("RateLimit"); got != `"default";r=0;t=60` {
		t.Fatalf("RateLimit %q on the 429", got)
	}
	if got := w.Header().Get("RateLimit-Policy"); got != `"default";q=5;w=60` {
		t.Fatalf("RateLimit-Policy %q on the 429", got)
	}
}

func TestRateLimitRefillsWithTheClock(t *testing.T) {
	clock := newFakeClock()
	store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{Now: clock.Now})
	s := limitedServer(middleware.RateLimit(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 5, Period: time.Minute}, Store: store, Name: "writes",
	}))
	spend := func(n int) {
		t.Helper()
		for i := range n {
			if w := get(s, "192.0.2.1:1"); w.Code != 200 {
				t.Fatalf("request %d of %d: status %d, want 200", i+1, n, w.Code)
			}
		}
	}
	expect429 := func(retry string) {
		t.Helper()
		w := get(s, "192.0.2.1:1")
		if w.Code != 429 || w.Header().Get("Retry-After") != retry {
			t.Fatalf("status %d Retry-After %q, want 429 with Retry-After %s", w.Code, w.Header().Get("Retry-After"), retry)
		}
	}
	spend(5)
	expect429("12")
	clock.Advance(11*time.Second + 500*time.Millisecond)
	expect429("1") // 0.5 s left: rounded up, never 0
	clock.Advance(500 * time.Millisecond)
	spend(1) // one request came back after Period/Limit
	expect429("12")
	clock.Advance(time.Minute)
	spend(5) // the whole budget after a quiet Period
	expect429("12")
}

func TestRateLimitKeys(t *testing.T) {
	clock := newFakeClock()
	newServer := func(key func(*hyperlane.Context) string) *hyperlane.Server {
		store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{Now: clock.Now})
		return limitedServer(middleware.RateLimit(middleware.RateLimitConfig{
			Rate: middleware.Rate{Limit: 2, Period: time.Minute}, Store: store, Key: key,
		}))
	}
	type req struct {
		remote string
		hdr    []string
		want   int
	}
	tests := []struct {
		name string
		key  func(*hyperlane.Context) string
		reqs []req
	}{
		{
			name: "client IPs have separate budgets; the port does not count",
			reqs: []req{
				{remote: "192.0.2.1:1", want: 200}, {remote: "192.0.2.1:2", want: 200}, {remote: "192.0.2.1:3", want: 429},
				{remote: "192.0.2.2:1", want: 200}, {remote: "[2001:db8::1]:1", want: 200},
			},
		},
		{
			name: "API keys have separate budgets, whatever the IP",
			key:  middleware.KeyByHeader("X-API-Key"),
			reqs: []req{
				{remote: "192.0.2.1:1", hdr: []string{"X-API-Key", "a"}, want: 200},
				{remote: "192.0.2.2:1", hdr: []string{"X-API-Key", "a"}, want: 200},
				{remote: "192.0.2.3:1", hdr: []string{"X-API-Key", "a"}, want: 429},
				{remote: "192.0.2.1:1", hdr: []string{"X-API-Key", "b"}, want: 200},
			},
		},
		{
			name: "a request without the API key spends its IP's budget",
			key:  middleware.KeyByHeader("X-API-Key"),
			reqs: []req{
				{remote: "192.0.2.9:1", want: 200}, {remote: "192.0.2.9:1", want: 200}, {remote: "192.0.2.9:1", want: 429},
				{remote: "192.0.2.9:1", hdr: []string{"X-API-Key", "c"}, want: 200},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(tt.key)
			for i, r := range tt.reqs {
				if w := get(s, r.remote, r.hdr...); w.Code != r.want {
					t.Fatalf("request %d (%s %v): status %d, want %d", i+1, r.remote, r.hdr, w.Code, r.want)
				}
			}
		})
	}
}

func TestRateLimitKeyFunctionByTenant(t *testing.T) {
	store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{Now: newFakeClock().Now})
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.RateLimit(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 1, Period: time.Hour}, Store: store,
		Key: func(c *hyperlane.Context) string { return c.Query("tenant") },
	}))
	s.Get("/w", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	for _, tc := range []struct {
		target     string
		want       int
		hasHeaders bool
	}{
		{"/w?tenant=a", 200, true}, {"/w?tenant=a", 429, true}, {"/w?tenant=b", 200, true},
		{"/w", 200, false}, {"/w", 200, false}, // no key: not limited, no headers
	} {
		w := do(s, httptest.NewRequest("GET", tc.target, nil))
		if w.Code != tc.want || (w.Header().Get("RateLimit") != "") != tc.hasHeaders {
			t.Fatalf("%s: status %d RateLimit %q, want %d (headers %v)", tc.target, w.Code, w.Header().Get("RateLimit"), tc.want, tc.hasHeaders)
		}
	}
}

// recordingStore remembers the keys it is asked about.
type recordingStore struct {
	middleware.RateLimitStore
	mu   sync.Mutex
	keys []string
}

func (r *recordingStore) Take(ctx context.Context, key string, rate middleware.Rate, n int) (middleware.RateLimitResult, error) {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.RateLimitStore.Take(ctx, key, rate, n)
}

// TestRateLimitHostileClients runs over real sockets: a client that
// sends a huge API key, or invents X-Forwarded-For values, gets no
// budget of its own and costs the store a few bytes.
func TestRateLimitHostileClients(t *testing.T) {
	newSrv := func(opts []hyperlane.Option, key func(*hyperlane.Context) string) (*httptest.Server, *recordingStore) {
		rec := &recordingStore{RateLimitStore: middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{})}
		s := hyperlane.New(append([]hyperlane.Option{hyperlane.WithLogger(quiet)}, opts...)...)
		middleware.Install(s, middleware.RateLimit(middleware.RateLimitConfig{
			Rate: middleware.Rate{Limit: 3, Period: time.Hour}, Store: rec, Key: key,
		}))
		s.Get("/w", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		return ts, rec
	}
	send := func(t *testing.T, ts *httptest.Server, hdr ...string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/w", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	t.Run("X-Forwarded-For from an untrusted peer does not change the key", func(t *testing.T) {
		ts, _ := newSrv(nil, nil)
		var codes []int
		for i := range 5 {
			codes = append(codes, send(t, ts, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i)))
		}
		if fmt.Sprint(codes) != "[200 200 200 429 429]" {
			t.Fatalf("statuses %v: spoofed forwarding headers changed the budget", codes)
		}
	})
	t.Run("X-Forwarded-For from a trusted proxy keys by the client behind it", func(t *testing.T) {
		ts, _ := newSrv([]hyperlane.Option{hyperlane.WithTrustedProxies("127.0.0.0/8", "::1/128")}, nil)
		var codes []int
		for i := range 5 {
			codes = append(codes, send(t, ts, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)))
		}
		if fmt.Sprint(codes) != "[200 200 200 200 200]" {
			t.Fatalf("statuses %v: the clients behind the proxy should each have a budget", codes)
		}
	})
	t.Run("a huge API key is limited like any other and stored hashed", func(t *testing.T) {
		ts, rec := newSrv(nil, middleware.KeyByHeader("X-API-Key"))
		huge := strings.Repeat("k", 200_000)
		var codes []int
		for range 4 {
			codes = append(codes, send(t, ts, "X-API-Key", huge))
		}
		if fmt.Sprint(codes) != "[200 200 200 429]" {
			t.Fatalf("statuses %v", codes)
		}
		for _, k := range rec.keys {
			if len(k) > 80 {
				t.Fatalf("the store was handed a key of %d bytes", len(k))
			}
		}
	})
}

func TestRateLimitIsExactUnderConcurrency(t *testing.T) {
	store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{Now: newFakeClock().Now})
	s := limitedServer(middleware.RateLimit(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 10, Period: time.Hour}, Store: store,
	}))
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			switch get(s, "192.0.2.7:1").Code {
			case 200:
				ok.Add(1)
			case 429:
				limited.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 || limited.Load() != 54 {
		t.Fatalf("%d allowed, %d limited; want exactly 10 and 54", ok.Load(), limited.Load())
	}
}

func TestMemoryRateLimitStoreStaysBounded(t *testing.T) {
	clock := newFakeClock()
	const maxKeys = 3_200
	store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{MaxKeys: maxKeys, Now: clock.Now})
	rate := middleware.Rate{Limit: 5, Period: time.Minute}
	ctx := context.Background()
	// A client that spent its whole budget.
	for range 5 {
		if res, _ := store.Take(ctx, "victim", rate, 1); !res.Allowed {
			t.Fatal("the first five takes are allowed")
		}
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 100_000 {
		if res, err := store.Take(ctx, "flood-"+strconv.Itoa(i), rate, 1); err != nil || !res.Allowed {
			t.Fatalf("take %d: %v %v", i, res, err)
		}
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := store.Len(); n > maxKeys {
		t.Fatalf("%d keys held after a flood of 100,000 distinct keys, want at most %d", n, maxKeys)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 4<<20 {
		t.Fatalf("the heap grew by %d bytes over the flood; %d keys should take well under 4 MB", grew, maxKeys)
	}
	// The flood did not hand the spent client a fresh budget: the entries
	// dropped are those nearest to whole.
	if res, _ := store.Take(ctx, "victim", rate, 1); res.Allowed {
		t.Fatal("the flood of new keys evicted a spent budget")
	}
	// Once the budgets are whole, new keys replace them.
	clock.Advance(2 * time.Minute)
	for i := range maxKeys {
		if _, err := store.Take(ctx, "later-"+strconv.Itoa(i), rate, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.Len(); n > maxKeys {
		t.Fatalf("%d keys held, want at most %d", n, maxKeys)
	}
}

func TestMemoryRateLimitStoreRefusesImpossibleTakes(t *testing.T) {
	store := middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{})
	for _, tc := range []struct {
		name string
		rate middleware.Rate
		n    int
	}{
		{"more than the limit at once", middleware.Rate{Limit: 2, Period: time.Second}, 3},
		{"zero requests", middleware.Rate{Limit: 2, Period: time.Second}, 0},
		{"a zero rate", middleware.Rate{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := store.Take(context.Background(), "k", tc.rate, tc.n); !errors.Is(err, middleware.ErrRateLimitTake) {
				t.Fatalf("err %v, want ErrRateLimitTake", err)
			}
		})
	}
}

// failingStore fails while down is set.
type failingStore struct {
	middleware.RateLimitStore
	down atomic.Bool
}

func (f *failingStore) Take(ctx context.Context, key string, rate middleware.Rate, n int) (middleware.RateLimitResult, error) {
	if f.down.Load() {
		return middleware.RateLimitResult{}, errors.New("connection refused")
	}
	return f.RateLimitStore.Take(ctx, key, rate, n)
}

func TestRateLimitStoreFailure(t *testing.T) {
	tests := []struct {
		name       string
		failClosed bool
		wantStatus int
		wantRetry  string
	}{
		{name: "fail open (default): requests pass without headers", wantStatus: 200},
		{name: "fail closed: 503 problem with Retry-After 1", failClosed: true, wantStatus: 503, wantRetry: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			store := &failingStore{RateLimitStore: middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{})}
			s := limitedServer(middleware.RateLimit(middleware.RateLimitConfig{
				Rate: middleware.Rate{Limit: 100, Period: time.Minute}, Store: store, FailClosed: tt.failClosed,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			}))
			store.down.Store(true)
			for i := range 3 {
				w := get(s, "192.0.2.1:1")
				if w.Code != tt.wantStatus || w.Header().Get("Retry-After") != tt.wantRetry || w.Header().Get("RateLimit") != "" {
					t.Fatalf("request %d: status %d Retry-After %q RateLimit %q", i+1, w.Code, w.Header().Get("Retry-After"), w.Header().Get("RateLimit"))
				}
				if tt.failClosed && w.Header().Get("Content-Type") != "application/problem+json" {
					t.Fatalf("503 Content-Type %q", w.Header().Get("Content-Type"))
				}
			}
			if n := strings.Count(logs.String(), "rate limit store failed"); n != 1 {
				t.Fatalf("the outage was logged %d times, want once:\n%s", n, logs.String())
			}
			store.down.Store(false)
			if w := get(s, "192.0.2.1:1"); w.Code != 200 || w.Header().Get("RateLimit") == "" {
				t.Fatalf("after recovery: status %d RateLimit %q", w.Code, w.Header().Get("RateLimit"))
			}
			if !strings.Contains(logs.String(), "answers again") {
				t.Fatalf("the recovery was not logged:\n%s", logs.String())
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want middleware.Rate
		err  bool
	}{
		{in: "5/1m", want: middleware.Rate{Limit: 5, Period: time.Minute}},
		{in: " 100/1s ", want: middleware.Rate{Limit: 100, Period: time.Second}},
		{in: "1000/1h30m", want: middleware.Rate{Limit: 1000, Period: 90 * time.Minute}},
		{in: "3/2h", want: middleware.Rate{Limit: 3, Period: 2 * time.Hour}},
		{in: "", err: true},
		{in: "5", err: true},
		{in: "5/", err: true},
		{in: "0/1m", err: true},
		{in: "-1/1m", err: true},
		{in: "x/1m", err: true},
		{in: "5/minute", err: true},
		{in: "5/0s", err: true},
		{in: "5/1ns", err: true},
		{in: "10000/1ms", err: true}, // under 1µs a request
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := middleware.ParseRate(tt.in)
			if tt.err {
				if err == nil || !strings.Contains(err.Error(), "N/duration") {
					t.Fatalf("ParseRate(%q) = %v, %v; want an error showing N/duration", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if again, err := middleware.ParseRate(got.String()); err != nil || again != got {
				t.Fatalf("ParseRate(%q.String() = %q) = %v, %v; want it back", tt.in, got.String(), again, err)
			}
		})
	}
}

func TestRateLimitPanicsOnBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  middleware.RateLimitConfig
		want string
	}{
		{"no rate", middleware.RateLimitConfig{}, "want a positive Limit"},
		{"a name that is not a token", middleware.RateLimitConfig{Rate: middleware.Rate{Limit: 1, Period: time.Second}, Name: `My "Policy"`}, "Name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Fatalf("panic %v, want one naming %q", r, tc.want)
				}
			}()
			middleware.NewRateLimiter(tc.cfg)
		})
	}
}

func ExampleRateLimit() {
	s := hyperlane.New()
	middleware.Install(s, middleware.RateLimit(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 2, Period: time.Minute}, // or middleware.ParseRate("2/1m")
		Key:  middleware.KeyByHeader("X-API-Key"),            // default: the client IP
	}))
	s.Post("/orders", func(c *hyperlane.Context) error { return c.Text(201, "created") })

	for range 3 {
		r := httptest.NewRequest("POST", "/orders", nil)
		r.Header.Set("X-API-Key", "k1")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		fmt.Printf("%d RateLimit: %s Retry-After: %q\n", w.Code, w.Header().Get("RateLimit"), w.Header().Get("Retry-After"))
	}
	// Output:
	// 201 RateLimit: "default";r=1;t=30 Retry-After: ""
	// 201 RateLimit: "default";r=0;t=60 Retry-After: ""
	// 429 RateLimit: "default";r=0;t=60 Retry-After: "30"
}

// ctxStore answers with the request context's error, as a network store
// does when the client goes away mid-call.
type ctxStore struct{ middleware.RateLimitStore }

func (s ctxStore) Take(ctx context.Context, key string, rate middleware.Rate, n int) (middleware.RateLimitResult, error) {
	if err := ctx.Err(); err != nil {
		return middleware.RateLimitResult{}, fmt.Errorf("redis: %w", err)
	}
	return s.RateLimitStore.Take(ctx, key, rate, n)
}

func TestRateLimitClientGoneIsNotAnOutage(t *testing.T) {
	var logs bytes.Buffer
	s := limitedServer(middleware.RateLimit(middleware.RateLimitConfig{
		Rate:   middleware.Rate{Limit: 100, Period: time.Minute},
		Store:  ctxStore{middleware.NewMemoryRateLimitStore(middleware.MemoryRateLimitConfig{})},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/w", nil).WithContext(ctx)
	if w := do(s, r); w.Code != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408 for a request that ended while the store answered", w.Code)
	}
	if strings.Contains(logs.String(), "store failed") {
		t.Fatalf("a client going away was logged as a store outage:\n%s", logs.String())
	}
	if w := get(s, "192.0.2.1:1"); w.Code != 200 || w.Header().Get("RateLimit") == "" {
		t.Fatalf("next request: status %d RateLimit %q", w.Code, w.Header().Get("RateLimit"))
	}
}
