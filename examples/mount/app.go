package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/hyperlane-go/hyperlane/adapter"
)

// DefaultToken is the bearer token the API's writes accept when
// MOUNT_TOKEN is not set. It is a demo value: set your own.
const DefaultToken = "mount-demo-token"

// newApp builds the existing application: a ServeMux with its own pages
// and middleware, and the Hyperlane API mounted at /api. Tests call it to
// serve in memory.
func newApp(logger *slog.Logger) http.Handler {
	token := cmp.Or(os.Getenv("MOUNT_TOKEN"), DefaultToken)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/api/", adapter.Mount("/api", newAPI(logger, requireToken(token))))
	// The app's middleware wraps everything, the mounted API included.
	return requestID(logRequests(logger, mux))
}

func home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html>
<title>Notes</title>
<h1>Notes</h1>
<p>This page is the existing net/http app. The notes API is Hyperlane, mounted at
<a href="/api/notes">/api</a>; try it in <a href="/api/swagger">Swagger UI</a>.</p>
`))
}

type requestIDKey struct{}

// requestID gives every request an id, in the X-Request-Id response
// header and the request context, where the Hyperlane handlers read it.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = rand.Text()[:12]
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// requestIDFrom returns the id requestID gave the request.
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// logRequests logs one line per request with the status written.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start), "id", requestIDFrom(r.Context()))
	})
}

// statusWriter records the status; Unwrap keeps Flush and Hijack working
// through http.ResponseController, so streams and WebSocket pass it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requireToken is the app's own auth middleware: a bearer token. The
// Hyperlane API reuses it on the routes that write, with adapter.With.
func requireToken(token string) func(http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="notes"`)
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"missing or wrong bearer token"}`+"\n")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
