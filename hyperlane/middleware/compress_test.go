package middleware_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return string(out)
}

func TestCompress(t *testing.T) {
	big := strings.Repeat(`{"name":"hyperlane","fast":true},`, 100) // 3.3 KB
	random := make([]byte, 4096)
	_, _ = rand.Read(random)

	type resp struct {
		status int
		ctype  string // "" leaves Content-Type unset
		body   string
		header map[string]string
		send   bool // commit with Send before response middleware
	}
	tests := []struct {
		name     string
		cfg      middleware.CompressConfig
		method   string // GET when empty
		accept   string // Accept-Encoding
		resp     resp
		gzipped  bool
		vary     bool
		wantETag string
	}{
		{name: "large JSON is gzipped", accept: "gzip", resp: resp{200, "application/json", big, nil, false}, gzipped: true, vary: true},
		{name: "gzip among others", accept: "br;q=1.0, gzip;q=0.5, deflate", resp: resp{200, "text/html; charset=utf-8", big, nil, false}, gzipped: true, vary: true},
		{name: "coding names are case-insensitive", accept: "GZIP", resp: resp{200, "text/plain", big, nil, false}, gzipped: true, vary: true},
		{name: "* accepts gzip", accept: "*", resp: resp{200, "text/css", big, nil, false}, gzipped: true, vary: true},
		{name: "gzip;q=0 refuses gzip", accept: "gzip;q=0", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "gzip;q=0 wins over *", accept: "gzip;q=0, *", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "*;q=0 refuses gzip", accept: "*;q=0", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "q=0.000 refuses gzip", accept: "gzip; q=0.000", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "malformed q refuses gzip", accept: "gzip;q=high", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "identity only", accept: "identity", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "no Accept-Encoding: plain but varies", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "below the minimum size: plain, no Vary", accept: "gzip", resp: resp{200, "application/json", `{"small":true}`, nil, false}},
		{name: "custom minimum size", cfg: middleware.CompressConfig{MinSize: 10}, accept: "gzip", resp: resp{200, "application/json", strings.Repeat("ab", 20), nil, false}, gzipped: true, vary: true},
		{name: "image is not compressible", accept: "gzip", resp: resp{200, "image/png", big, nil, false}},
		{name: "SVG is compressible", accept: "gzip", resp: resp{200, "image/svg+xml", big, nil, false}, gzipped: true, vary: true},
		{name: "JavaScript is compressible", accept: "gzip", resp: resp{200, "text/javascript; charset=utf-8", big, nil, false}, gzipped: true, vary: true},
		{name: "problem+json errors are compressible", accept: "gzip", resp: resp{422, "application/problem+json", big, nil, false}, gzipped: true, vary: true},
		{name: "custom types replace the defaults", cfg: middleware.CompressConfig{ContentTypes: []string{"application/x-custom"}}, accept: "gzip", resp: resp{200, "application/json", big, nil, false}},
		{name: "custom type matches", cfg: middleware.CompressConfig{ContentTypes: []string{"application/x-custom"}}, accept: "gzip", resp: resp{200, "Application/X-Custom", big, nil, false}, gzipped: true, vary: true},
		{name: "defaults extended with a custom type", cfg: middleware.CompressConfig{ContentTypes: append(middleware.DefaultCompressTypes(), "application/x-custom")}, accept: "gzip", resp: resp{200, "application/x-custom", big, nil, false}, gzipped: true, vary: true},
		{name: "missing Content-Type is sniffed first", accept: "gzip", resp: resp{200, "", big, nil, false}, gzipped: true, vary: true},
		{name: "already encoded body is left alone", accept: "gzip", resp: resp{200, "application/json", big, map[string]string{"Content-Encoding": "br"}, false}},
		{name: "HEAD is not compressed but varies", method: "HEAD", accept: "gzip", resp: resp{200, "application/json", big, nil, false}, vary: true},
		{name: "204 is not compressed", accept: "gzip", resp: resp{204, "application/json", big, nil, false}},
		{name: "304 is not compressed", accept: "gzip", resp: resp{304, "application/json", big, nil, false}},
		{name: "206 is not compressed", accept: "gzip", resp: resp{206, "application/json", big, map[string]string{"Content-Range": "bytes 0-3299/9999"}, false}},
		{name: "a committed response is not touched", accept: "gzip", resp: resp{200, "application/json", big, nil, true}},
		{name: "strong ETag becomes weak", accept: "gzip", resp: resp{200, "application/json", big, map[string]string{"ETag": `"v1"`}, false}, gzipped: true, vary: true, wantETag: `W/"v1"`},
		{name: "weak ETag stays", accept: "gzip", resp: resp{200, "application/json", big, map[string]string{"ETag": `W/"v1"`}, false}, gzipped: true, vary: true, wantETag: `W/"v1"`},
		{name: "an old Content-Length is replaced", accept: "gzip", resp: resp{200, "application/json", big, map[string]string{"Content-Length": strconv.Itoa(len(big))}, false}, gzipped: true, vary: true},
		{name: "incompressible bytes are sent as they are", accept: "gzip", resp: resp{200, "application/octet-stream", string(random), nil, false}},
		{name: "gzip that would grow the body is skipped", cfg: middleware.CompressConfig{ContentTypes: []string{"application/octet-stream"}}, accept: "gzip", resp: resp{200, "application/octet-stream", string(random), nil, false}, vary: true},
		{name: "best speed level works", cfg: middleware.CompressConfig{Level: gzip.BestSpeed}, accept: "gzip", resp: resp{200, "application/json", big, nil, false}, gzipped: true, vary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s, middleware.Compress(tt.cfg))
			s.Get("/", func(c *hyperlane.Context) error {
				for k, v := range tt.resp.header {
					c.SetHeader(k, v)
				}
				if tt.resp.ctype != "" {
					c.SetHeader("Content-Type", tt.resp.ctype)
				}
				c.Status(tt.resp.status).SetBodyString(tt.resp.body)
				if tt.resp.send {
					return c.Send()
				}
				return nil
			})
			method := tt.method
			if method == "" {
				method = "GET"
			}
			r := httptest.NewRequest(method, "/", nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Encoding", tt.accept)
			}
			w := do(s, r)
			h := w.Header()
			if got := h.Get("Content-Encoding") == "gzip"; got != tt.gzipped {
				t.Fatalf("gzipped %v, want %v (Content-Encoding %q)", got, tt.gzipped, h.Get("Content-Encoding"))
			}
			if got := strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding"); got != tt.vary {
				t.Errorf("Vary: Accept-Encoding %v, want %v", got, tt.vary)
			}
			if tt.gzipped {
				if got := gunzip(t, w.Body.Bytes()); got != tt.resp.body {
					t.Errorf("gunzipped body differs: %d bytes, want %d", len(got), len(tt.resp.body))
				}
				if cl := h.Values("Content-Length"); len(cl) != 1 || cl[0] != strconv.Itoa(w.Body.Len()) {
					t.Errorf("Content-Length %q, body is %d bytes", cl, w.Body.Len())
				}
				if h.Get("Content-Type") == "" {
					t.Errorf("Content-Type missing; it must name the uncompressed type")
				}
			} else if method == "GET" && bodyAllowed(tt.resp.status) && w.Body.String() != tt.resp.body {
				t.Errorf("plain body changed: %d bytes, want %d", w.Body.Len(), len(tt.resp.body))
			}
			if tt.wantETag != "" && h.Get("ETag") != tt.wantETag {
				t.Errorf("ETag %q, want %q", h.Get("ETag"), tt.wantETag)
			}
		})
	}
}

func bodyAllowed(status int) bool { return status != 204 && status != 304 }

func TestCompressSniffedTypeIsTheUncompressedOne(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.Compress())
	s.Get("/", func(c *hyperlane.Context) error {
		c.SetBodyString("<!DOCTYPE html><html>" + strings.Repeat("<p>hi</p>", 200) + "</html>")
		return nil
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := do(s, r)
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want the sniffed HTML type", ct)
	}
}

func TestCompressRunsAfterBodyChangesListedInsideIt(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	footer := middleware.Middleware{Response: func(c *hyperlane.Context) error {
		c.SetBody(append(slices.Clone(c.ResponseBody()), "<footer>"...))
		return nil
	}}
	middleware.Install(s, middleware.Compress(), footer)
	page := strings.Repeat("<p>page</p>", 200)
	s.Get("/", func(c *hyperlane.Context) error { return c.HTML(200, page) })
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := do(s, r)
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed")
	}
	if got := gunzip(t, w.Body.Bytes()); got != page+"<footer>" {
		t.Errorf("compressed body lacks the footer added inside Compress")
	}
}

func TestCompressOverRealConnection(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.Compress())
	body := func(n int) string { return strings.Repeat(fmt.Sprintf("line %d of a long document\n", n), 200) }
	s.Get("/doc/{n}", func(c *hyperlane.Context) error {
		n, _ := strconv.Atoi(c.Param("n"))
		return c.Text(200, body(n))
	})
	s.Get("/stream", func(c *hyperlane.Context) error {
		c.SetHeader("Content-Type", "text/plain")
		for i := range 3 {
			if _, err := fmt.Fprint(c, body(i)); err != nil {
				return err
			}
			if err := c.Flush(); err != nil {
				return err
			}
		}
		return nil
	})
	ts := httptest.NewServer(s)
	defer ts.Close()

	t.Run("the client's transparent gzip gets the original body", func(t *testing.T) {
		res, err := ts.Client().Get(ts.URL + "/doc/1")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !res.Uncompressed || string(got) != body(1) {
			t.Errorf("uncompressed by transport %v, body ok %v", res.Uncompressed, string(got) == body(1))
		}
	})
	t.Run("raw gzip bytes match Content-Length", func(t *testing.T) {
		res, raw := getGzipRaw(t, ts.URL+"/doc/2")
		if res.ContentLength != int64(len(raw)) || res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Length %d, read %d, Content-Encoding %q", res.ContentLength, len(raw), res.Header.Get("Content-Encoding"))
		}
		if got := gunzip(t, raw); got != body(2) {
			t.Errorf("body differs after gunzip")
		}
	})
	t.Run("a flushed stream is never compressed", func(t *testing.T) {
		res, raw := getGzipRaw(t, ts.URL+"/stream")
		if res.Header.Get("Content-Encoding") != "" || string(raw) != body(0)+body(1)+body(2) {
			t.Errorf("Content-Encoding %q, body %d bytes", res.Header.Get("Content-Encoding"), len(raw))
		}
	})
	t.Run("concurrent requests share pooled writers safely", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 64 {
			wg.Go(func() {
				res, err := ts.Client().Get(fmt.Sprintf("%s/doc/%d", ts.URL, i))
				if err != nil {
					errs <- err
					return
				}
				got, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(got) != body(i) {
					errs <- fmt.Errorf("request %d got another body", i)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// getGzipRaw asks for url accepting gzip and returns the response with
// its body as sent, not decompressed by the transport.
func getGzipRaw(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, raw
}

func TestCompressRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  middleware.CompressConfig
		want string
	}{
		{"level out of range", middleware.CompressConfig{Level: 42}, "level 42"},
		{"malformed content type", middleware.CompressConfig{ContentTypes: []string{"json"}}, `"json"`},
		{"wildcard subtype only at the end", middleware.CompressConfig{ContentTypes: []string{"*/json"}}, `"*/json"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := panicMessage(func() { middleware.Compress(tt.cfg) }); !strings.Contains(msg, tt.want) {
				t.Errorf("panic %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

func BenchmarkCompress(b *testing.B) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.Compress())
	page := strings.Repeat("<li>hyperlane</li>", 512)
	s.Get("/", func(c *hyperlane.Context) error { return c.HTML(200, page) })
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		s.ServeHTTP(httptest.NewRecorder(), r)
	}
}

// TestServerCompressSeesGroupBody: response middleware runs inner-first,
// so a server-level Compress compresses the body a group's response
// middleware made, over a real connection. The handler's own body is
// below MinSize; only the group's replacement is worth compressing.
func TestServerCompressSeesGroupBody(t *testing.T) {
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.Compress())
	page := strings.Repeat("<p>rendered by the group's layout</p>\n", 100)
	s.Group("/site", func(g *hyperlane.Group) {
		g.ResponseMiddleware(func(c *hyperlane.Context) error {
			c.SetBodyString(strings.Replace(page, "layout", string(c.ResponseBody()), 1))
			return nil
		})
		g.Get("/", func(c *hyperlane.Context) error { return c.HTML(http.StatusOK, "hello") })
	})
	ln, err := s.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })

	res, raw := getGzipRaw(t, "http://"+ln.Addr().String()+"/site/")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, body %d bytes: Compress did not see the group's body", res.Header.Get("Content-Encoding"), len(raw))
	}
	if want := strings.Replace(page, "layout", "hello", 1); gunzip(t, raw) != want {
		t.Errorf("gunzipped body is not the group's body")
	}
	if res.ContentLength != int64(len(raw)) {
		t.Errorf("Content-Length %d, sent %d bytes", res.ContentLength, len(raw))
	}
}
