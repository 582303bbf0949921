package hyperlane_test

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// hostileServer serves the framework's own code paths that hostile input
// reaches: the static map, a regex param, a catch-all, JSON body binding
// and the static file server.
func hostileServer(t *testing.T) string {
	t.Helper()
	s := hyperlane.New(
		hyperlane.WithAddr("127.0.0.1:0"),
		hyperlane.WithMaxBodyBytes(1024),
		hyperlane.WithLogger(discardLogger()),
	)
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "root") })
	s.Get("/users/{id:\\d+}", func(c *hyperlane.Context) error { return c.Text(200, "user "+c.Param("id")) })
	s.Get("/tail/{rest:.*}", func(c *hyperlane.Context) error { return c.Text(200, "rest="+c.Param("rest")) })
	s.Post("/echo", func(c *hyperlane.Context) error {
		var v map[string]any
		if err := c.BindJSON(&v); err != nil {
			return err
		}
		return c.JSON(200, v)
	})
	s.StaticFS("/files", fstest.MapFS{"a.txt": {Data: []byte("file a")}, "dir/b.txt": {Data: []byte("file b")}})
	ln, err := s.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	return ln.Addr().String()
}

// exchange writes raw bytes and reads every response until the server
// closes the connection or stays silent for a moment.
func exchange(t *testing.T, addr, raw string) (resps []*http.Response, bodies []string, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	for {
		// The first answer may be slow on a loaded machine; after one,
		// a short wait tells whether another follows.
		wait := 300 * time.Millisecond
		if len(resps) == 0 {
			wait = 5 * time.Second
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			var ne net.Error
			return resps, bodies, !(errors.As(err, &ne) && ne.Timeout())
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(resp.Body)
		resps, bodies = append(resps, resp), append(bodies, string(b))
	}
}

func TestHostileHTTP1(t *testing.T) {
	addr := hostileServer(t)
	get := func(target string) string { return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	post := func(headers, body string) string {
		return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers + "\r\n" + body
	}
	tests := []struct {
		name   string
		raw    string
		want   []int // statuses in order
		closed bool  // the server must close the connection afterwards
		body   string
	}{
		// Framing: Content-Length and Transfer-Encoding.
		{name: "both CL and TE: chunked wins, CL ignored", raw: post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "7\r\n{\"a\":1}\r\n0\r\n\r\n"), want: []int{200}, body: `{"a":1}`},
		{name: "conflicting Content-Length rejected", raw: post("Content-Length: 3\r\nContent-Length: 4\r\n", "{}  "), want: []int{400}, closed: true},
		{name: "duplicate equal Content-Length accepted", raw: post("Content-Length: 2\r\nContent-Length: 2\r\n", "{}"), want: []int{200}},
		{name: "negative Content-Length rejected", raw: post("Content-Length: -1\r\n", ""), want: []int{400}, closed: true},
		{name: "non-numeric Content-Length rejected", raw: post("Content-Length: 1x\r\n", "{}"), want: []int{400}, closed: true},
		{name: "Content-Length with plus sign rejected", raw: post("Content-Length: +2\r\n", "{}"), want: []int{400}, closed: true},
		{name: "invalid chunk size is 400 from binding", raw: post("Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n0\r\n\r\n"), want: []int{400}, closed: true},
		{name: "chunk extension is ignored", raw: post("Transfer-Encoding: chunked\r\n", "7;ext=1\r\n{\"a\":1}\r\n0\r\n\r\n"), want: []int{200}, body: `{"a":1}`},
		{name: "oversized chunk size rejected", raw: post("Transfer-Encoding: chunked\r\n", "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n"), want: []int{400}, closed: true},
		{name: "unknown transfer coding is 501", raw: post("Transfer-Encoding: gzip\r\n", "x"), want: []int{501}, closed: true},
		{name: "chunked not last is 501", raw: post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n"), want: []int{501}, closed: true},
		{name: "body over the limit is 413 and closes", raw: post("Content-Length: 2000\r\n", strings.Repeat(" ", 2000)), want: []int{413}, closed: true},
		{name: "chunked body over the limit is 413", raw: post("Transfer-Encoding: chunked\r\n", "7d0\r\n"+strings.Repeat(" ", 2000)+"\r\n0\r\n\r\n"), want: []int{413}, closed: true},
		{name: "truncated JSON body is 400", raw: post("Content-Length: 5\r\n", `{"a":`), want: []int{400}},
		{name: "wrong content type is 415", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}", want: []int{415}},

		// Line endings and folding.
		{name: "bare LF line endings are tolerated", raw: "GET / HTTP/1.1\nHost: x\n\n", want: []int{200}},
		{name: "obsolete line folding is unfolded to a space", raw: "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", want: []int{200}},

		// Host.
		{name: "missing Host is 400", raw: "GET / HTTP/1.1\r\n\r\n", want: []int{400}, closed: true},
		{name: "duplicate Host is 400", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", want: []int{400}, closed: true},
		{name: "HTTP/1.0 without Host is served and closed", raw: "GET / HTTP/1.0\r\n\r\n", want: []int{200}, closed: true},
		{name: "invalid Host is 400", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", want: []int{400}, closed: true},

		// Header syntax.
		{name: "space before colon is 400", raw: "GET / HTTP/1.1\r\nHost : x\r\n\r\n", want: []int{400}, closed: true},
		{name: "control char in header name is 400", raw: "GET / HTTP/1.1\r\nHost: x\r\nX\x01: a\r\n\r\n", want: []int{400}, closed: true},
		{name: "NUL in header value is 400", raw: "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", want: []int{400}, closed: true},
		{name: "CR in header value is 400", raw: "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", want: []int{400}, closed: true},
		{name: "empty header name is 400", raw: "GET / HTTP/1.1\r\nHost: x\r\n: a\r\n\r\n", want: []int{400}, closed: true},
		{name: "headers over the limit are 431", raw: "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 80<<10) + "\r\n\r\n", want: []int{431}, closed: true},

		// Request line.
		{name: "unknown method gets 405 with Allow", raw: "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", want: []int{405}},
		{name: "lower-case method is not GET", raw: "get / HTTP/1.1\r\nHost: x\r\n\r\n", want: []int{405}},
		{name: "TRACE is not routed", raw: "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", want: []int{405}},
		{name: "absolute-form URI routes by path", raw: get("http://x/users/7"), want: []int{200}, body: "user 7"},
		{name: "HTTP/2.0 on the HTTP/1 port is 505", raw: "GET / HTTP/2.0\r\nHost: x\r\n\r\n", want: []int{505}, closed: true},
		{name: "garbage version is 400", raw: "GET / HTTP/x.y\r\nHost: x\r\n\r\n", want: []int{400}, closed: true},
		{name: "missing version is 400", raw: "GET /\r\nHost: x\r\n\r\n", want: []int{400}, closed: true},
		{name: "asterisk form for GET is 404", raw: "GET * HTTP/1.1\r\nHost: x\r\n\r\n", want: []int{404}},

		// Pipelining and smuggling.
		{name: "pipelined requests answered in order", raw: get("/") + get("/users/1") + get("/nope"), want: []int{200, 200, 404}},
		{name: "smuggled request in a GET body is not routed", raw: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 34\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n", want: []int{200}},
		{name: "smuggling behind keep-alive via CL+TE", raw: get("/") + post("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n"), want: []int{200, 400, 200}, body: "user 2"},

		// Routes and the framework's paths.
		{name: "regex param rejects letters", raw: get("/users/abc"), want: []int{404}},
		{name: "regex param rejects mixed", raw: get("/users/1a"), want: []int{404}},
		{name: "catch-all takes encoded slash as data", raw: get("/tail/a%2Fb/c"), want: []int{200}, body: "rest=a/b/c"},
		{name: "catch-all with NUL is served as data", raw: get("/tail/a%00b"), want: []int{200}, body: "rest=a\x00b"},
		{name: "file served", raw: get("/files/a.txt"), want: []int{200}, body: "file a"},
		{name: "dot-dot in files is 404", raw: get("/files/../go.mod"), want: []int{404}},
		{name: "encoded dot-dot in files is 404", raw: get("/files/%2e%2e/go.mod"), want: []int{404}},
		{name: "encoded slash dot-dot in files is 404", raw: get("/files/dir%2f..%2f..%2fgo.mod"), want: []int{404}},
		{name: "overlong UTF-8 dot in files is 404", raw: get("/files/%c0%ae%c0%ae/go.mod"), want: []int{404}},
		{name: "NUL in file name is 404", raw: get("/files/a.txt%00.png"), want: []int{404}},
		{name: "backslash in file name is 404", raw: get("/files/dir%5cb.txt"), want: []int{404}},
		{name: "very long path is 404 not 500", raw: get("/files/" + strings.Repeat("a/", 2000)), want: []int{404}},
		{name: "many segments on a route are 404", raw: get(strings.Repeat("/x", 3000)), want: []int{404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case has its own connection, and exchange waits out a
			// silence on it: run them side by side.
			t.Parallel()
			resps, bodies, closed := exchange(t, addr, tt.raw)
			var got []int
			for _, r := range resps {
				got = append(got, r.StatusCode)
			}
			if !equalInts(got, tt.want) {
				t.Fatalf("statuses = %v, want %v (bodies %q)", got, tt.want, bodies)
			}
			if closed != tt.closed {
				t.Errorf("connection closed = %v, want %v", closed, tt.closed)
			}
			if tt.body != "" && !strings.Contains(strings.Join(bodies, "\n"), tt.body) {
				t.Errorf("bodies %q do not contain %q", bodies, tt.body)
			}
			for i, r := range resps {
				if r.StatusCode >= 500 && r.StatusCode != 501 && r.StatusCode != 505 {
					t.Errorf("response %d is a server error %d", i, r.StatusCode)
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
