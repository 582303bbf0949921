package hyperlane_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// syncBuffer is a log sink the server's goroutines write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestTerminalHelperOverrideWarns: a terminal helper called after another
// one already set the response logs one warning per route naming both
// calls, and the later call still wins. One call, the error handler
// replacing a response after an error, and response middleware replacing
// the body are deliberate and stay quiet.
func TestTerminalHelperOverrideWarns(t *testing.T) {
	logs := &syncBuffer{}
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"),
		hyperlane.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	s.Get("/pets/{id}", func(c *hyperlane.Context) error {
		_ = c.Text(http.StatusOK, "pet "+c.Param("id"))
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	s.Group("/mw", func(g *hyperlane.Group) {
		g.RequestMiddleware(func(c *hyperlane.Context) error {
			return c.Text(http.StatusOK, "from request middleware")
		})
		g.Get("/redirect", func(c *hyperlane.Context) error {
			return c.Redirect(http.StatusSeeOther, "/elsewhere")
		})
	})
	s.Get("/problem", func(c *hyperlane.Context) error {
		_ = c.NoContent(http.StatusNoContent)
		return c.WriteProblem(hyperlane.Error(http.StatusConflict, "taken"))
	})
	file := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(file, []byte("file body"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Get("/file", func(c *hyperlane.Context) error {
		_ = c.Text(http.StatusOK, "placeholder")
		return c.File(file)
	})
	s.Get("/once", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "once") })
	s.Get("/error", func(c *hyperlane.Context) error {
		_ = c.Text(http.StatusOK, "half done")
		return hyperlane.Error(http.StatusTeapot, "then failed")
	})
	s.Group("/layout", func(g *hyperlane.Group) {
		g.ResponseMiddleware(func(c *hyperlane.Context) error {
			return c.HTML(c.StatusCode(), "<main>"+string(c.ResponseBody())+"</main>")
		})
		g.Get("/page", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "page") })
	})
	addr := liveAddr(t, s)

	cases := []struct {
		name   string
		path   string
		status int
		body   string // a prefix of the body sent
		warn   string // the one warning expected, "" for none
	}{
		{"JSON after Text in the handler warns, the later call wins", "/pets/7", 200, `{"id":"7"}`,
			"hyperlane: GET /pets/{id}: JSON called after Text already set the response; the later call wins"},
		{"a handler's Redirect after request middleware's Text warns", "/mw/redirect", 303, "",
			"hyperlane: GET /mw/redirect: Redirect called after Text already set the response; the later call wins"},
		{"WriteProblem after NoContent in the handler warns", "/problem", 409, `{"type":"about:blank"`,
			"hyperlane: GET /problem: WriteProblem called after NoContent already set the response; the later call wins"},
		{"File after Text in the handler warns, the file is served", "/file", 200, "file body",
			"hyperlane: GET /file: File called after Text already set the response; the later call wins"},
		{"a single call stays quiet", "/once", 200, "once", ""},
		{"the error handler replacing the handler's Text stays quiet", "/error", 418, `{"type":"about:blank"`, ""},
		{"response middleware replacing the body stays quiet", "/layout/page", 200, "<main>page</main>", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := strings.Count(logs.String(), "already set the response")
			for i := range 20 {
				resp, body := rawGet(t, addr, tc.path)
				if resp.StatusCode != tc.status || !strings.HasPrefix(body, tc.body) {
					t.Fatalf("request %d: %d %q, want %d %q...", i, resp.StatusCode, body, tc.status, tc.body)
				}
			}
			got := logs.String()
			n := strings.Count(got, "already set the response") - before
			switch {
			case tc.warn == "" && n != 0:
				t.Fatalf("%d warnings, want none:\n%s", n, got)
			case tc.warn != "" && n != 1:
				t.Fatalf("%d warnings over 20 requests, want exactly 1:\n%s", n, got)
			case tc.warn != "" && !strings.Contains(got, fmt.Sprintf("msg=%q", tc.warn)):
				t.Fatalf("log lacks %q:\n%s", tc.warn, got)
			}
		})
	}
}

// TestTerminalHelperOverrideWarnsOnceUnderConcurrency: many concurrent
// requests to one overriding route log one warning, not one each.
func TestTerminalHelperOverrideWarnsOnceUnderConcurrency(t *testing.T) {
	logs := &syncBuffer{}
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	s.Post("/items", func(c *hyperlane.Context) error {
		_ = c.Blob(http.StatusAccepted, "application/octet-stream", []byte("draft"))
		return c.HTML(http.StatusCreated, "<p>made</p>")
	})
	addr := liveAddr(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			resp, err := http.Post("http://"+addr+"/items", "text/plain", nil)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				errs <- errors.New(resp.Status)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const want = "hyperlane: POST /items: HTML called after Blob already set the response; the later call wins"
	if got := logs.String(); strings.Count(got, want) != 1 || strings.Count(got, "already set the response") != 1 {
		t.Fatalf("want exactly one %q, log:\n%s", want, got)
	}
}
