package middleware_test

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

func ExampleInstall() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s := hyperlane.New()
	middleware.Install(s,
		middleware.RequestID(), // outermost: runs first, sees the final response last
		middleware.AccessLog(logger),
		middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}}),
		middleware.SecurityHeaders(),
		middleware.Compress(), // innermost: its response half runs first
	)
	s.Use(middleware.Timeout(5 * time.Second))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "Hello hyperlane => /") })
}

func ExampleAccessLog() {
	// Drop the time and duration so that the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	s := hyperlane.New()
	middleware.Install(s, middleware.RequestID(), middleware.AccessLog(logger))
	s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(200, "hello") })

	r := httptest.NewRequest("GET", "/hello", nil)
	r.Header.Set("X-Request-Id", "demo-1")
	s.ServeHTTP(httptest.NewRecorder(), r)
	r = httptest.NewRequest("HEAD", "/hello", nil)
	r.Header.Set("X-Request-Id", "demo-2")
	s.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// level=INFO msg=request method=GET path=/hello status=200 bytes=5 request_id=demo-1
	// level=INFO msg=request method=HEAD path=/hello status=200 bytes=0 request_id=demo-2
}

func ExampleCORS() {
	s := hyperlane.New()
	middleware.Install(s, middleware.CORS(middleware.CORSConfig{
		AllowedOrigins:   []string{"https://app.example.com", "https://*.example.com"},
		AllowedMethods:   []string{"GET", "PUT", "DELETE"},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		ExposedHeaders:   []string{"X-Request-Id"},
		AllowCredentials: true,
		MaxAge:           time.Hour,
	}))
	s.Put("/items/{id}", func(c *hyperlane.Context) error { return c.NoContent(204) })
	s.Get("/items/{id}", func(c *hyperlane.Context) error { return c.Text(200, "item "+c.Param("id")) })

	// The browser's preflight is answered by CORS; the handler does not run.
	pre := httptest.NewRequest("OPTIONS", "/items/7", nil)
	pre.Header.Set("Origin", "https://admin.example.com")
	pre.Header.Set("Access-Control-Request-Method", "PUT")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, pre)
	fmt.Println("preflight:", w.Code)
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Credentials"} {
		fmt.Printf("  %s: %s\n", k, w.Header().Get(k))
	}

	// The actual request from an allowed origin.
	get := httptest.NewRequest("GET", "/items/7", nil)
	get.Header.Set("Origin", "https://app.example.com")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, get)
	fmt.Println("get:", w.Code, w.Body.String(), "| allow-origin:", w.Header().Get("Access-Control-Allow-Origin"), "| vary:", w.Header().Get("Vary"))

	// Another origin gets no CORS headers, so its page cannot read the answer.
	evil := httptest.NewRequest("GET", "/items/7", nil)
	evil.Header.Set("Origin", "https://evil.example")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, evil)
	fmt.Printf("evil: %d allow-origin=%q\n", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	// Output:
	// preflight: 204
	//   Access-Control-Allow-Origin: https://admin.example.com
	//   Access-Control-Allow-Methods: GET, PUT, DELETE
	//   Access-Control-Allow-Headers: Content-Type, Authorization
	//   Access-Control-Max-Age: 3600
	//   Access-Control-Allow-Credentials: true
	// get: 200 item 7 | allow-origin: https://app.example.com | vary: Origin
	// evil: 200 allow-origin=""
}

func ExampleTimeout() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	s.Use(middleware.Timeout(20 * time.Millisecond))
	s.Get("/report", func(c *hyperlane.Context) error {
		<-c.Done() // a slow report; its context is cancelled at the deadline
		return c.Context().Err()
	})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/report", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(strings.TrimSpace(w.Body.String()))
	// Output:
	// 503 application/problem+json
	// {"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the request took longer than 20ms","instance":"/report"}
}

func ExampleCompress() {
	s := hyperlane.New()
	middleware.Install(s, middleware.Compress())
	s.Get("/doc", func(c *hyperlane.Context) error {
		return c.Text(200, strings.Repeat("Hyperlane compresses buffered text. ", 100))
	})
	r := httptest.NewRequest("GET", "/doc", nil)
	r.Header.Set("Accept-Encoding", "br;q=1, gzip;q=0.8")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	fmt.Println(w.Header().Get("Content-Encoding"), w.Header().Get("Vary"), w.Body.Len() < 3600)
	// Output:
	// gzip Accept-Encoding true
}
