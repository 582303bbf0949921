package hyperlane_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestChainableSetters(t *testing.T) {
	s := quiet()
	s.Get("/", func(c *hyperlane.Context) error {
		c.Status(http.StatusAccepted).
			SetHeader("X-One", "1").
			AddHeader("X-Many", "a").
			AddHeader("X-Many", "b").
			SetHeader("X-Gone", "soon").
			DelHeader("X-Gone").
			SetCookie(&http.Cookie{Name: "id", Value: "42", HttpOnly: true}).
			SetBody([]byte("replaced")).
			SetBodyString("final body")
		return nil
	})
	w := do(s, "GET", "/", "")
	h := w.Header()
	if w.Code != 202 || w.Body.String() != "final body" {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if h.Get("X-One") != "1" || strings.Join(h.Values("X-Many"), ",") != "a,b" || h.Get("X-Gone") != "" {
		t.Fatalf("headers %v", h)
	}
	if got := h.Get("Set-Cookie"); got != "id=42; HttpOnly" {
		t.Fatalf("Set-Cookie = %q", got)
	}
}

func TestSetBodyCopies(t *testing.T) {
	s := quiet()
	s.Get("/", func(c *hyperlane.Context) error {
		b := []byte("original")
		c.SetBody(b)
		copy(b, "mutated!")
		return nil
	})
	if got := do(s, "GET", "/", "").Body.String(); got != "original" {
		t.Fatalf("SetBody kept the caller's slice: %q", got)
	}
}

func TestTerminalHelpers(t *testing.T) {
	tests := []struct {
		name    string
		h       hyperlane.Handler
		code    int
		ctype   string
		body    string
		problem bool
	}{
		{"Text", func(c *hyperlane.Context) error { return c.Text(201, "hi") }, 201, "text/plain; charset=utf-8", "hi", false},
		{"JSON", func(c *hyperlane.Context) error { return c.JSON(200, map[string]int{"n": 1}) }, 200, "application/json; charset=utf-8", "{\"n\":1}\n", false},
		{"HTML", func(c *hyperlane.Context) error { return c.HTML(200, "<p>x</p>") }, 200, "text/html; charset=utf-8", "<p>x</p>", false},
		{"Blob", func(c *hyperlane.Context) error { return c.Blob(200, "image/png", []byte{0x89, 'P'}) }, 200, "image/png", "\x89P", false},
		{"NoContent", func(c *hyperlane.Context) error { c.SetBodyString("dropped"); return c.NoContent(204) }, 204, "", "", false},
		{"the last helper wins", func(c *hyperlane.Context) error { _ = c.Text(200, "first"); return c.Text(202, "second") }, 202, "text/plain; charset=utf-8", "second", false},
		{"JSON that cannot be encoded is a 500", func(c *hyperlane.Context) error { return c.JSON(200, make(chan int)) }, 500, "", "", true},
		{"Context is an io.Writer into the body", func(c *hyperlane.Context) error {
			fmt.Fprintf(c, "%d+%d", 1, 2)
			return nil
		}, 200, "", "1+2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := quiet()
			s.Get("/", tc.h)
			w := do(s, "GET", "/", "")
			if tc.problem {
				if p := problem(t, w); w.Code != tc.code || p.Detail != "" {
					t.Fatalf("got %d %+v", w.Code, p)
				}
				return
			}
			if w.Code != tc.code || w.Body.String() != tc.body || (tc.ctype != "" && w.Header().Get("Content-Type") != tc.ctype) {
				t.Fatalf("got %d %q %q, want %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body, tc.code, tc.ctype, tc.body)
			}
		})
	}
}

func TestBlobWithoutTypeIsSniffed(t *testing.T) {
	s := quiet()
	s.Get("/", func(c *hyperlane.Context) error { return c.Blob(200, "", []byte("<html><p>hi")) })
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type = %q", got)
	}
}

func TestRedirect(t *testing.T) {
	tests := []struct {
		name, path, prefix, to string
		code                   int
		location               string
	}{
		{"relative to the request path", "/users/7/view", "", "edit", 302, "/users/7/edit"},
		{"relative with dot segments", "/users/7/view", "", "../list", 302, "/users/list"},
		{"relative keeps its query", "/a/b", "", "c?x=1", 303, "/a/c?x=1"},
		{"path-absolute", "/a/b", "", "/login", 301, "/login"},
		{"absolute URL unchanged", "/a", "", "https://example.org/x?y=1", 307, "https://example.org/x?y=1"},
		{"path-absolute under a mount prefix", "/a/b", "/app", "/login", 302, "/app/login"},
		{"relative under a mount prefix", "/users/7/view", "/app", "edit", 302, "/app/users/7/edit"},
		{"absolute URL unchanged under a mount prefix", "/a", "/app", "https://example.org/", 302, "https://example.org/"},
		{"escapes kept", "/a", "/app", "/files/a%2Fb", 302, "/app/files/a%2Fb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := quiet()
			s.Get("/{p:.*}", func(c *hyperlane.Context) error { return c.Redirect(tc.code, tc.to) })
			r := httptest.NewRequest("GET", tc.path, nil)
			r = hyperlane.WithMountPrefix(r, tc.prefix)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.code || w.Header().Get("Location") != tc.location {
				t.Fatalf("got %d Location %q, want %d %q", w.Code, w.Header().Get("Location"), tc.code, tc.location)
			}
		})
	}
	t.Run("a non-3xx code is an error", func(t *testing.T) {
		s := quiet()
		s.Get("/", func(c *hyperlane.Context) error { return c.Redirect(200, "/x") })
		if w := do(s, "GET", "/", ""); w.Code != 500 || w.Header().Get("Location") != "" {
			t.Fatalf("got %d Location %q", w.Code, w.Header().Get("Location"))
		}
	})
}

// countingWriter counts the calls that reach the client's writer.
type countingWriter struct {
	http.ResponseWriter
	headers, writes *int
}

func (w countingWriter) WriteHeader(code int)        { *w.headers++; w.ResponseWriter.WriteHeader(code) }
func (w countingWriter) Write(b []byte) (int, error) { *w.writes++; return w.ResponseWriter.Write(b) }

func TestResponseIsWrittenOnceWithContentLength(t *testing.T) {
	s := quiet()
	var headers, writes int
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(countingWriter{w, &headers, &writes}, r)
		})
	})
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		if c.Query("grow") != "" {
			c.Status(http.StatusCreated).SetHeader("X-Grown", "yes")
			_, _ = c.Write([]byte(strings.Repeat("+", 1000)))
		}
		return nil
	})
	s.Get("/size/{n}", func(c *hyperlane.Context) error {
		var n int
		fmt.Sscan(c.Param("n"), &n)
		return c.Text(200, strings.Repeat("x", n))
	})
	srv := httptest.NewServer(s)
	defer srv.Close()

	tests := []struct {
		name   string
		target string
		code   int
		length int
	}{
		{"small body", "/size/10", 200, 10},
		{"body just over net/http's 2 KiB buffer", "/size/2049", 200, 2049},
		{"large body", "/size/100000", 200, 100000},
		{"response middleware grows a small body", "/size/10?grow=1", 201, 1010},
		{"response middleware grows a large body", "/size/3000?grow=1", 201, 4000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headers, writes = 0, 0
			resp, err := http.Get(srv.URL + tc.target)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code || len(b) != tc.length {
				t.Fatalf("got %d with %d bytes, want %d with %d", resp.StatusCode, len(b), tc.code, tc.length)
			}
			if resp.ContentLength != int64(tc.length) || len(resp.TransferEncoding) != 0 {
				t.Fatalf("Content-Length %d, Transfer-Encoding %v: not one sized write", resp.ContentLength, resp.TransferEncoding)
			}
			if tc.code == 201 && resp.Header.Get("X-Grown") != "yes" {
				t.Fatal("header set by response middleware missing")
			}
			if headers != 1 || writes != 1 {
				t.Fatalf("%d WriteHeader and %d Write calls, want 1 and 1", headers, writes)
			}
		})
	}
}

func TestSendCommitsNow(t *testing.T) {
	s := quiet()
	var afterSend error
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.Status(500).SetHeader("X-Late", "1") // too late: already sent
		return nil
	})
	s.Get("/", func(c *hyperlane.Context) error {
		c.Status(http.StatusAccepted).SetHeader("X-Early", "1").SetBodyString("first;")
		if err := c.Send(); err != nil {
			return err
		}
		if !c.Committed() {
			return errors.New("not committed after Send")
		}
		_, _ = c.Write([]byte("second"))
		afterSend = c.Text(200, "ignored")
		if err := c.Send(); !errors.Is(err, hyperlane.ErrCommitted) {
			return fmt.Errorf("second Send: %v", err)
		}
		return nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || string(b) != "first;second" || resp.Header.Get("X-Early") != "1" || resp.Header.Get("X-Late") != "" {
		t.Fatalf("got %d %q %v", resp.StatusCode, b, resp.Header)
	}
	if !errors.Is(afterSend, hyperlane.ErrCommitted) {
		t.Fatalf("Text after Send = %v, want ErrCommitted", afterSend)
	}
}

// readUntil reads from br until the data read so far ends with want.
func readUntil(t *testing.T, br *bufio.Reader, want string) {
	t.Helper()
	var got []byte
	for !strings.HasSuffix(string(got), want) {
		b, err := br.ReadByte()
		if err != nil {
			t.Fatalf("reading %q: got %q, %v", want, got, err)
		}
		got = append(got, b)
	}
}

// streamTest serves h and checks that "part1" arrives while the handler
// still waits for the client to have read it.
func streamTest(t *testing.T, register func(s *hyperlane.Server, read <-chan struct{})) {
	t.Helper()
	s := quiet()
	read := make(chan struct{})
	register(s, read)
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	readUntil(t, br, "part1")
	close(read) // the handler was blocked until now: part1 was streamed
	rest, _ := io.ReadAll(br)
	if string(rest) != "part2" || resp.StatusCode != 200 {
		t.Fatalf("rest %q, status %d", rest, resp.StatusCode)
	}
}

// waitRead blocks until the client read, with a hang guard.
func waitRead(read <-chan struct{}) error {
	select {
	case <-read:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("the client never got the first part")
	}
}

func TestFlushStreams(t *testing.T) {
	streamTest(t, func(s *hyperlane.Server, read <-chan struct{}) {
		s.Get("/stream", func(c *hyperlane.Context) error {
			c.SetBodyString("part1")
			if err := c.Flush(); err != nil {
				return err
			}
			if err := waitRead(read); err != nil {
				return err
			}
			_, err := c.Write([]byte("part2"))
			return err
		})
	})
}

func TestRawWriterCommitsAndBypassesTheBuffer(t *testing.T) {
	s := quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.Status(500).SetBodyString("ignored")
		return nil
	})
	s.Get("/", func(c *hyperlane.Context) error {
		c.SetBodyString("buffered, never sent")
		w := c.RawWriter()
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "raw")
		return nil
	})
	w := do(s, "GET", "/", "")
	if w.Code != http.StatusTeapot || w.Body.String() != "raw" {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
}

func TestBufferedWriterBuffersNetHTTPHandlers(t *testing.T) {
	s := quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Seen", fmt.Sprintf("%d %s", c.StatusCode(), c.ResponseBody()))
		c.SetBodyString(strings.ToUpper(string(c.ResponseBody())))
		return nil
	})
	std := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		w.WriteHeader(http.StatusInternalServerError) // superfluous, ignored as by net/http
		_, _ = io.WriteString(w, "from net/http")
	}
	s.Get("/std", func(c *hyperlane.Context) error {
		c.Status(http.StatusTeapot) // the net/http handler's status replaces it
		std(c.BufferedWriter(), c.Request())
		return nil
	})
	s.Get("/implicit", func(c *hyperlane.Context) error {
		c.Status(http.StatusTeapot)
		_, _ = io.WriteString(c.BufferedWriter(), "implicit 200")
		return nil
	})
	w := do(s, "GET", "/std", "")
	if w.Code != 202 || w.Body.String() != "FROM NET/HTTP" || w.Header().Get("X-Seen") != "202 from net/http" {
		t.Fatalf("got %d %q X-Seen %q", w.Code, w.Body, w.Header().Get("X-Seen"))
	}
	if w := do(s, "GET", "/implicit", ""); w.Code != 200 {
		t.Fatalf("a Write without WriteHeader must answer 200, got %d", w.Code)
	}
}

func TestResponseWriterWithResponseController(t *testing.T) {
	t.Run("Flush streams", func(t *testing.T) {
		streamTest(t, func(s *hyperlane.Server, read <-chan struct{}) {
			s.Get("/stream", func(c *hyperlane.Context) error {
				w := c.BufferedWriter()
				rc := http.NewResponseController(w)
				if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
					return err
				}
				if err := rc.EnableFullDuplex(); err != nil {
					return err
				}
				_, _ = io.WriteString(w, "part1")
				if err := rc.Flush(); err != nil {
					return err
				}
				if err := waitRead(read); err != nil {
					return err
				}
				_, err := io.WriteString(w, "part2")
				return err
			})
		})
	})
	t.Run("Hijack takes the connection", func(t *testing.T) {
		s := quiet()
		s.Get("/hijack", func(c *hyperlane.Context) error {
			c.SetHeader("X-Dropped", "1")
			conn, brw, err := http.NewResponseController(c.BufferedWriter()).Hijack()
			if err != nil {
				return err
			}
			defer conn.Close()
			_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
			return brw.Flush()
		})
		srv := httptest.NewServer(s)
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/hijack")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "hijacked" || resp.Header.Get("X-Dropped") != "" {
			t.Fatalf("got %q %v", b, resp.Header)
		}
	})
	t.Run("Unwrap and the deadlines leave the response buffered", func(t *testing.T) {
		s := quiet()
		s.ResponseMiddleware(func(c *hyperlane.Context) error {
			if !c.Committed() {
				c.Status(http.StatusAccepted).SetBodyString(strings.ToUpper(string(c.ResponseBody())))
			}
			return nil
		})
		s.Get("/unwrap", func(c *hyperlane.Context) error {
			w := c.BufferedWriter()
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "buffered")
			if raw := w.(interface{ Unwrap() http.ResponseWriter }).Unwrap(); raw == nil || raw == w {
				return fmt.Errorf("Unwrap returned %T, want the connection's writer", raw)
			}
			if c.Committed() {
				return errors.New("Unwrap committed the response")
			}
			// Through a wrapper that only unwraps, as host middleware's do.
			rc := http.NewResponseController(unwrapOnly{w})
			if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
				return err
			}
			if err := rc.SetReadDeadline(time.Time{}); err != nil {
				return err
			}
			if c.Committed() {
				return errors.New("a deadline committed the response")
			}
			return nil
		})
		srv := httptest.NewServer(s)
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/unwrap")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || string(b) != "BUFFERED" {
			t.Fatalf("response middleware must still rewrite the response: got %d %q", resp.StatusCode, b)
		}
	})
	t.Run("Flush through a wrapper that unwraps commits and streams", func(t *testing.T) {
		streamTest(t, func(s *hyperlane.Server, read <-chan struct{}) {
			s.Get("/stream", func(c *hyperlane.Context) error {
				w := unwrapOnly{c.BufferedWriter()}
				_, _ = io.WriteString(w, "part1")
				if err := http.NewResponseController(w).Flush(); err != nil {
					return err
				}
				if !c.Committed() {
					return errors.New("Flush did not commit")
				}
				if err := waitRead(read); err != nil {
					return err
				}
				_, err := io.WriteString(w, "part2")
				return err
			})
		})
	})
	t.Run("a failed Hijack leaves the response uncommitted", func(t *testing.T) {
		s := quiet()
		s.Get("/hijack", func(c *hyperlane.Context) error {
			// The recorder cannot be hijacked, as an HTTP/2 stream cannot.
			_, _, err := http.NewResponseController(c.BufferedWriter()).Hijack()
			if err == nil {
				return errors.New("Hijack on a recorder succeeded")
			}
			if c.Committed() {
				return errors.New("a failed Hijack committed the response")
			}
			return c.Text(http.StatusNotImplemented, "no upgrade here")
		})
		if w := do(s, "GET", "/hijack", ""); w.Code != http.StatusNotImplemented || w.Body.String() != "no upgrade here" {
			t.Fatalf("got %d %q", w.Code, w.Body)
		}
	})
}

// unwrapOnly hides every method of the writer beneath but Unwrap, as a
// host middleware's status recorder does.
type unwrapOnly struct{ w http.ResponseWriter }

func (u unwrapOnly) Header() http.Header         { return u.w.Header() }
func (u unwrapOnly) Write(p []byte) (int, error) { return u.w.Write(p) }
func (u unwrapOnly) WriteHeader(code int)        { u.w.WriteHeader(code) }
func (u unwrapOnly) Unwrap() http.ResponseWriter { return u.w }

// The deprecated names keep their old behaviour for one release, over a
// real socket: Writer commits (response middleware cannot change what is
// sent), ResponseWriter buffers (response middleware rewrites it).
func TestDeprecatedWriterNamesStillWork(t *testing.T) {
	s := quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		if !c.Committed() {
			c.SetBodyString(strings.ToUpper(string(c.ResponseBody())))
		}
		return nil
	})
	s.Get("/writer", func(c *hyperlane.Context) error {
		w := c.Writer()
		if !c.Committed() {
			t.Error("Writer did not commit")
		}
		_, _ = io.WriteString(w, "raw")
		return nil
	})
	s.Get("/response-writer", func(c *hyperlane.Context) error {
		w := c.ResponseWriter()
		if c.Committed() {
			t.Error("ResponseWriter committed")
		}
		_, _ = io.WriteString(w, "buffered")
		return nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for path, want := range map[string]string{"/writer": "raw", "/response-writer": "BUFFERED"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != want {
			t.Errorf("GET %s = %q, want %q", path, body, want)
		}
	}
}
