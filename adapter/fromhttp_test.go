package adapter_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/adapter/mounttest"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestFromHTTPBufferedResponse(t *testing.T) {
	legacy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := "legacy says hi"
		w.Header().Set("X-Legacy", "1")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, body)
	})
	s := hyperlane.New()
	var seen string
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		seen = fmt.Sprintf("%d %s %q", c.StatusCode(), c.ResponseHeader().Get("X-Legacy"), c.ResponseBody())
		if c.Query("rewrite") != "" {
			c.Status(http.StatusAccepted).SetHeader("X-Legacy", "rewritten")
			c.SetBodyString(string(c.ResponseBody()) + ", and Hyperlane adds more")
		}
		return nil
	})
	s.Get("/legacy", adapter.FromHTTP(legacy))
	base := mounttest.Serve(t, s)

	for _, tc := range []struct {
		name   string
		query  string
		status int
		header string
		body   string
	}{
		{name: "response middleware sees status, headers and body", status: 418, header: "1", body: "legacy says hi"},
		{name: "response middleware changes them, Content-Length follows", query: "?rewrite=1",
			status: 202, header: "rewritten", body: "legacy says hi, and Hyperlane adds more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(base + "/legacy" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("reading body: %v (a stale Content-Length?)", err)
			}
			if seen != `418 1 "legacy says hi"` {
				t.Errorf("response middleware saw %s", seen)
			}
			if resp.StatusCode != tc.status || resp.Header.Get("X-Legacy") != tc.header || string(body) != tc.body {
				t.Errorf("got %d %q %q; want %d %q %q", resp.StatusCode, resp.Header.Get("X-Legacy"), body, tc.status, tc.header, tc.body)
			}
			if resp.ContentLength != int64(len(tc.body)) {
				t.Errorf("Content-Length %d, want %d", resp.ContentLength, len(tc.body))
			}
		})
	}
}

func TestFromHTTPHeadKeepsContentLength(t *testing.T) {
	s := hyperlane.New()
	s.Get("/file", adapter.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1234")
	})))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/file", nil))
	if got := w.Header().Get("Content-Length"); got != "1234" {
		t.Errorf("HEAD Content-Length %q, want the handler's 1234", got)
	}
}

func TestFromHTTPRequest(t *testing.T) {
	s := hyperlane.New()
	s.RequestMiddleware(func(c *hyperlane.Context) error { c.Set("user", "ada"); return nil })
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := adapter.ContextFrom(r)
		user, _ := hyperlane.Attr[string](c, "user")
		fmt.Fprintf(w, "chi=%s pathvalue=%s param=%s tenant=%s user=%s pattern=%s path=%s",
			chi.URLParam(r, "id"), r.PathValue("id"), c.Param("id"), chi.URLParam(r, "tenant"),
			user, chi.RouteContext(r.Context()).RoutePattern(), r.URL.Path)
	})
	s.Get("/users/{id}", adapter.FromHTTP(show))
	s.Get("/plain", adapter.FromHTTP(show))

	host := chi.NewRouter()
	host.Mount("/t/{tenant}", adapter.Mount("/t/{tenant}", s))
	servemux := http.NewServeMux()
	servemux.Handle("/x/{id}/", adapter.Mount("/x/outer", s))

	for _, tc := range []struct {
		name   string
		host   http.Handler
		target string
		want   string
	}{
		{name: "route parameters read through chi, PathValue and the Context",
			host: s, target: "/users/7", want: "chi=7 pathvalue=7 param=7 tenant= user=ada pattern=/users/{id} path=/users/7"},
		{name: "a route without parameters still has chi's route context",
			host: s, target: "/plain", want: "chi= pathvalue= param= tenant= user=ada pattern=/plain path=/plain"},
		{name: "a host chi router's parameters stay readable",
			host: host, target: "/t/acme/users/7", want: "chi=7 pathvalue=7 param=7 tenant=acme user=ada pattern=/t/{tenant}/users/{id} path=/users/7"},
		{name: "the route's parameter wins over a host ServeMux's of the same name",
			host: servemux, target: "/x/outer/users/7", want: "chi=7 pathvalue=7 param=7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.host.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.target, nil))
			if w.Code != 200 || !strings.HasPrefix(w.Body.String(), tc.want) {
				t.Errorf("GET %s: %d %q, want %q", tc.target, w.Code, w.Body, tc.want)
			}
		})
	}
}

func TestFromHTTPDoesNotTouchTheHostRequest(t *testing.T) {
	s := hyperlane.New()
	s.Get("/users/{id}", adapter.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	mux := http.NewServeMux()
	var after string
	mux.HandleFunc("/x/{id}/", func(w http.ResponseWriter, r *http.Request) {
		adapter.Mount("/x/outer", s).ServeHTTP(w, r)
		after = r.PathValue("id")
	})
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x/outer/users/7", nil))
	if after != "outer" {
		t.Errorf("the host's path value became %q, want outer", after)
	}
}

func TestFromHTTPSubtree(t *testing.T) {
	legacy := http.NewServeMux()
	legacy.HandleFunc("GET /legacy/hello", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hello") })
	legacy.HandleFunc("POST /legacy/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "item "+r.PathValue("id"))
	})
	legacyChi := chi.NewRouter()
	legacyChi.Get("/old/users/{uid}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "uid "+chi.URLParam(r, "uid")+" rest "+chi.URLParam(r, "rest"))
	})
	s := hyperlane.New()
	s.Any("/legacy/{rest:.*}", adapter.FromHTTP(legacy))
	s.Any("/old/{rest:.*}", adapter.FromHTTP(legacyChi))

	for _, tc := range []struct {
		name, method, target string
		status               int
		body                 string
	}{
		{name: "a ServeMux serves its sub-tree", method: "GET", target: "/legacy/hello", status: 200, body: "hello"},
		{name: "with its own methods and wildcards", method: "POST", target: "/legacy/items/9", status: 201, body: "item 9"},
		{name: "and its own 404", method: "GET", target: "/legacy/nope", status: 404, body: "404 page not found\n"},
		{name: "a chi router serves its sub-tree with its own parameters", method: "GET", target: "/old/users/3",
			status: 200, body: "uid 3 rest users/3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, nil))
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.target, w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
}

func TestFromHTTPStreamPassesThrough(t *testing.T) {
	next := make(chan struct{})
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			if err := rc.Flush(); err != nil {
				t.Errorf("flush: %v", err)
				return
			}
			<-next // the client read the event: it was not held in a buffer
		}
	})
	s := hyperlane.New()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Too-Late", "1").SetBodyString("too late")
		return nil
	})
	s.Get("/events", adapter.FromHTTP(stream))
	base := mounttest.Serve(t, s)

	resp, err := http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.Header.Get("X-Too-Late") != "" {
		t.Error("a header set after the stream began reached the client")
	}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if want := fmt.Sprintf("data: %d\n", i); err != nil || line != want {
			t.Fatalf("read %q, %v; want %q", line, err, want)
		}
		_, _ = br.ReadString('\n')
		next <- struct{}{}
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after the stream: %q", rest)
	}
}

func TestFromHTTPWebSocket(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		defer ws.CloseNow()
		typ, msg, err := ws.Read(r.Context())
		if err != nil {
			t.Errorf("read: %v", err)
			return
		}
		_ = ws.Write(r.Context(), typ, append([]byte("echo: "), msg...))
		_ = ws.Close(websocket.StatusNormalClosure, "")
	})
	s := hyperlane.New()
	s.Get("/ws", adapter.FromHTTP(echo))
	base := mounttest.Serve(t, s)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	_, msg, err := ws.Read(ctx)
	if err != nil || string(msg) != "echo: hi" {
		t.Fatalf("read %q, %v", msg, err)
	}
}
