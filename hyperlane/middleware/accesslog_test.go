package middleware_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

// logLines decodes the JSON lines a slog.JSONHandler wrote.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestAccessLog(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		want     map[string]any // fields that must be present with these values
		absent   []string       // fields that must be absent
		sameBody bool           // bytes must equal the body the client got
	}{
		{
			name:   "buffered response logs method, path, status, bytes and id",
			method: "GET", path: "/hello", header: map[string]string{"X-Request-Id": "req-1"},
			want:     map[string]any{"msg": "request", "level": "INFO", "method": "GET", "path": "/hello", "status": 200.0, "bytes": 5.0, "request_id": "req-1"},
			absent:   []string{"streamed"},
			sameBody: true,
		},
		{
			name: "HEAD sends no body bytes", method: "HEAD", path: "/hello",
			want: map[string]any{"method": "HEAD", "status": 200.0, "bytes": 0.0},
		},
		{
			name: "unknown path logs the 404", method: "GET", path: "/nope",
			want:     map[string]any{"path": "/nope", "status": 404.0},
			sameBody: true,
		},
		{
			name: "handler error logs the problem status", method: "POST", path: "/fail",
			want: map[string]any{"method": "POST", "status": 422.0},
		},
		{
			name: "streamed response is marked, without bytes", method: "GET", path: "/stream",
			want:   map[string]any{"status": 200.0, "streamed": true},
			absent: []string{"bytes"},
		},
		{
			name: "bytes are counted after compression", method: "GET", path: "/big",
			header:   map[string]string{"Accept-Encoding": "gzip"},
			want:     map[string]any{"status": 200.0},
			sameBody: true,
		},
		{
			name: "preflight answered by CORS is logged", method: "OPTIONS", path: "/hello",
			header: map[string]string{"Origin": "https://a.example", "Access-Control-Request-Method": "PUT"},
			want:   map[string]any{"method": "OPTIONS", "status": 204.0, "bytes": 0.0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s,
				middleware.RequestID(),
				middleware.AccessLog(logger),
				middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{"PUT"}}),
				middleware.Compress(),
			)
			s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
			s.Post("/fail", func(c *hyperlane.Context) error { return hyperlane.Error(422, "bad") })
			s.Get("/stream", func(c *hyperlane.Context) error {
				c.SetBodyString("part")
				return c.Send()
			})
			s.Get("/big", func(c *hyperlane.Context) error { return c.Text(200, strings.Repeat("compress me ", 500)) })

			r := httptest.NewRequest(tt.method, tt.path, nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := do(s, r)
			lines := logLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1: %s", len(lines), buf.String())
			}
			line := lines[0]
			for k, v := range tt.want {
				if line[k] != v {
					t.Errorf("%s = %v, want %v (line %v)", k, line[k], v, line)
				}
			}
			for _, k := range tt.absent {
				if _, ok := line[k]; ok {
					t.Errorf("%s present in %v", k, line)
				}
			}
			if d, ok := line["duration"].(float64); !ok || d < 0 {
				t.Errorf("duration %v, want a non-negative number", line["duration"])
			}
			if id, _ := line["request_id"].(string); id == "" || id != w.Header().Get("X-Request-Id") {
				t.Errorf("request_id %q, response header %q", id, w.Header().Get("X-Request-Id"))
			}
			if tt.sameBody && line["bytes"] != float64(w.Body.Len()) {
				t.Errorf("bytes %v, client got %d", line["bytes"], w.Body.Len())
			}
		})
	}
}

func TestAccessLogDefaultsToServerLogger(t *testing.T) {
	var buf bytes.Buffer
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	middleware.Install(s, middleware.AccessLog(nil))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	do(s, httptest.NewRequest("GET", "/", nil))
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["path"] != "/" {
		t.Fatalf("server logger got %s", buf.String())
	}
	if _, ok := lines[0]["request_id"]; ok {
		t.Errorf("request_id logged without RequestID: %v", lines[0])
	}
}

func TestAccessLogRespectsLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.AccessLog(logger))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	do(s, httptest.NewRequest("GET", "/", nil))
	if buf.Len() != 0 {
		t.Errorf("logged below the handler's level: %s", buf.String())
	}
}
