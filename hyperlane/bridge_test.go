package hyperlane

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestGroupHandler(t *testing.T) {
	s := New()
	s.RequestMiddleware(func(c *Context) error { c.AddHeader("X-Trace", "server"); return nil })
	var h http.Handler
	s.Group("/ignored", func(g *Group) {
		g.ResponseMiddleware(func(c *Context) error { c.AddHeader("X-Trace", "group"); return nil })
		h = g.Handler(func(c *Context) error {
			c.AddHeader("X-Trace", "handler")
			return c.Text(http.StatusOK, "path="+c.Path()+" pattern="+c.RoutePattern())
		})
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/anything", nil))
	if w.Code != 200 || w.Body.String() != "path=/anything pattern=" {
		t.Errorf("%d %q: the handler did not serve the request unrouted", w.Code, w.Body)
	}
	if got := strings.Join(w.Header()["X-Trace"], ","); got != "server,handler,group" {
		t.Errorf("X-Trace %q, want the group's middleware around the handler", got)
	}
}

func TestSetRequest(t *testing.T) {
	s := New(WithMaxBodyBytes(8))
	s.Post("/items/{id}", func(c *Context) error {
		r := c.Request().Clone(c.Context())
		r.URL.RawQuery = "v=new"
		if c.Query("v") != "old" {
			t.Errorf("query before SetRequest: %q", c.Query("v"))
		}
		switch c.Header("X-Mode") {
		case "wrap":
			r.Body = io.NopCloser(io.MultiReader(r.Body, strings.NewReader("+more")))
		case "grow":
			r.Body = io.NopCloser(strings.NewReader("a body far over the limit"))
			r.ContentLength = -1
		}
		c.SetRequest(r)
		body, err := c.Body()
		if err != nil {
			return err
		}
		return c.Text(http.StatusOK, c.Param("id")+" "+c.Query("v")+" "+string(body))
	})
	for _, tc := range []struct {
		name, mode, body string
		status           int
		want             string
	}{
		{name: "the same body stays the Context's", body: "abc", status: 200, want: "7 new abc"},
		{name: "a body that wraps the original is read instead", mode: "wrap", body: "abc", status: 200, want: "7 new abc+more"},
		{name: "a replaced body is held to the limit", mode: "grow", body: "abc", status: 413},
		{name: "a replaced body sees the original's limit", mode: "wrap", body: "abcdefghi", status: 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/items/7?v=old", strings.NewReader(tc.body))
			r.Header.Set("X-Mode", tc.mode)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.status || tc.want != "" && w.Body.String() != tc.want {
				t.Errorf("%d %q, want %d %q", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}
}

func TestHandleError(t *testing.T) {
	s := New()
	s.ErrorHandler(func(c *Context, err error) { _ = c.Text(http.StatusTeapot, "handled: "+err.Error()) })
	s.Get("/", func(c *Context) error {
		c.HandleError(Error(http.StatusConflict, "taken"))
		if c.StatusCode() != http.StatusTeapot {
			t.Errorf("status %d after HandleError, want the error handler's 418", c.StatusCode())
		}
		c.HandleError(nil) // no error: nothing changes
		return nil
	})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusTeapot || w.Body.String() != "handled: 409 Conflict: taken" {
		t.Errorf("%d %q", w.Code, w.Body)
	}
}

// deferringWriter holds the status back until the first Write or
// WriteHeaderNow, and hijacks without sending it, as gin's writer does.
type deferringWriter struct {
	http.ResponseWriter
	status int
}

func (d *deferringWriter) WriteHeader(code int) { d.status = code }
func (d *deferringWriter) WriteHeaderNow() {
	if d.status != 0 {
		d.ResponseWriter.WriteHeader(d.status)
		d.status = 0
	}
}
func (d *deferringWriter) Write(p []byte) (int, error) {
	d.WriteHeaderNow()
	return d.ResponseWriter.Write(p)
}
func (d *deferringWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(d.ResponseWriter).Hijack()
}

func TestResponseWriterHijackSendsTheWrittenStatus(t *testing.T) {
	s := New()
	s.Get("/upgrade", func(c *Context) error {
		w := c.BufferedWriter()
		w.Header().Set("Upgrade", "test")
		w.Header().Set("Connection", "Upgrade")
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		_, _ = brw.WriteString("after the upgrade\n")
		return brw.Flush()
	})
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{name: "on net/http's writer", h: s},
		{name: "on a writer that holds the status back, as gin's does", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.ServeHTTP(&deferringWriter{ResponseWriter: w}, r)
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard only
			_, _ = io.WriteString(conn, "GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "test" {
				t.Fatalf("status %d, Upgrade %q; want 101 sent before the hijack", resp.StatusCode, resp.Header.Get("Upgrade"))
			}
			if line, err := br.ReadString('\n'); err != nil || line != "after the upgrade\n" {
				t.Errorf("after the upgrade: %q, %v", line, err)
			}
		})
	}
}
