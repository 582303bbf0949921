package main

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newApp(slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv
}

func TestCoreRoutes(t *testing.T) {
	srv := newTestServer(t)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// A body over the limit is refused before it is read: sent with
	// Expect: 100-continue, it waits for that answer instead of racing
	// the server's close, which can turn the 413 into a reset.
	client.Transport.(*http.Transport).ExpectContinueTimeout = 10 * time.Second
	bigJSON := `"` + strings.Repeat("a", 1<<20) + `"`
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		wantStatus               int
		wantBody                 string // exact, when set
		wantContains             string
		wantHeader               map[string]string
	}{
		{name: "root says hello with server header", method: "GET", path: "/", wantStatus: 200,
			wantBody: "Hello hyperlane => /", wantHeader: map[string]string{"Server": "hyperlane", "X-Content-Type-Options": "nosniff"}},
		{name: "user id digits", method: "GET", path: "/users/42", wantStatus: 200, wantBody: `{"id":"42"}` + "\n"},
		{name: "user id letters is 404", method: "GET", path: "/users/abc", wantStatus: 404,
			wantHeader: map[string]string{"Content-Type": "application/problem+json"}},
		{name: "embedded file", method: "GET", path: "/files/hello.txt", wantStatus: 200, wantBody: "Hello from an embedded file.\n"},
		{name: "file range is 206", method: "GET", path: "/files/hello.txt", header: map[string]string{"Range": "bytes=0-4"},
			wantStatus: 206, wantBody: "Hello"},
		{name: "file escape is 404", method: "GET", path: "/files/%2e%2e/core.go", wantStatus: 404},
		{name: "a file with a trailing slash is 404", method: "GET", path: "/files/hello.txt/", wantStatus: 404,
			wantHeader: map[string]string{"Content-Type": "application/problem+json"}},
		{name: "old redirects to root", method: "GET", path: "/old", wantStatus: 301, wantHeader: map[string]string{"Location": "/"}},
		{name: "echo returns the JSON", method: "POST", path: "/echo", body: `{"a":[1,2]}`,
			header: map[string]string{"Content-Type": "application/json"}, wantStatus: 200, wantBody: `{"a":[1,2]}` + "\n"},
		{name: "echo with bad JSON is 400", method: "POST", path: "/echo", body: `{"a":`,
			header: map[string]string{"Content-Type": "application/json"}, wantStatus: 400, wantContains: "malformed JSON"},
		{name: "echo over 1 MiB is 413", method: "POST", path: "/echo", body: bigJSON,
			header: map[string]string{"Content-Type": "application/json", "Expect": "100-continue"}, wantStatus: 413, wantContains: `"status":413`},
		{name: "panic is a 500 problem", method: "GET", path: "/panic", wantStatus: 500,
			wantHeader: map[string]string{"Content-Type": "application/problem+json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantBody != "" && string(body) != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if !strings.Contains(string(body), tt.wantContains) {
				t.Errorf("body %q does not contain %q", body, tt.wantContains)
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func TestHealthReportsRealState(t *testing.T) {
	srv := newTestServer(t)
	resp, err := http.Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Status        string  `json:"status"`
		UptimeSeconds float64 `json:"uptime_seconds"`
		Goroutines    int     `json:"goroutines"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "ok" || h.UptimeSeconds <= 0 || h.Goroutines < 2 {
		t.Errorf("health = %+v", h)
	}
}

func TestPanicKeepsConnectionServing(t *testing.T) {
	srv := newTestServer(t)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i, want := range []int{500, 200} {
		path := []string{"/panic", "/"}[i]
		if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on the same connection: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}
