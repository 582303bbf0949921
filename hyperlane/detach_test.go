package hyperlane_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

type detachKey struct{}

// TestDetachOutlivesTheRequest keeps Detach's copy past the end of its
// request (the connection's next request runs, so the first one ended and
// its context was cancelled) and checks that everything in it is the
// request's, independent of later changes, and that its context keeps the
// request's values without being cancelled.
func TestDetachOutlivesTheRequest(t *testing.T) {
	s, _ := rtServer(hyperlane.WithTrustedProxies("127.0.0.0/8"))
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), detachKey{}, "traced")))
		})
	})
	s.RequestMiddleware(middleware.RequestID().Request)
	s.RequestMiddleware(func(c *hyperlane.Context) error { c.Set("user", "ada"); return nil })
	type kept struct {
		d        hyperlane.Detached
		reqCtx   context.Context
		detached context.Context
	}
	keep := make(chan kept, 1)
	s.Get("/orgs/{org}/jobs/{id}", func(c *hyperlane.Context) error {
		k := kept{d: c.Detach(), reqCtx: c.Context()}
		k.detached = k.d.Context()
		// Changes after Detach do not reach the copy.
		c.Request().Header.Set("X-Job", "changed")
		c.QueryValues().Set("q", "changed")
		c.Set("user", "bob")
		keep <- k
		return c.NoContent(http.StatusAccepted)
	})
	s.Get("/next", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "next") })
	addr := rtServe(t, s)

	conn, err := net.DialTimeout("tcp", addr, rtGuard)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(rtGuard))
	br := bufio.NewReader(conn)
	fmt.Fprint(conn, "GET /orgs/go%20lang/jobs/42?q=fast&q=now HTTP/1.1\r\nHost: x\r\nX-Job: report\r\n"+
		"X-Forwarded-For: 203.0.113.7\r\nX-Request-Id: req-42\r\n\r\n")
	first, err := http.ReadResponse(br, nil)
	if err != nil || first.StatusCode != http.StatusAccepted {
		t.Fatalf("first request: %v %v", first, err)
	}
	fmt.Fprint(conn, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("next request: %v %v", resp, err)
	}
	k := rtWait(t, keep, "the detached copy")
	d := k.d

	if k.reqCtx.Err() == nil {
		t.Fatal("the first request's context is not cancelled: the test did not outlive the request")
	}
	user, found := d.Get("user")
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"Method", d.Method, "GET"},
		{"Path", d.Path, "/orgs/go lang/jobs/42"},
		{"Pattern", d.Pattern, "/orgs/{org}/jobs/{id}"},
		{"Params", d.Params, []hyperlane.Param{{Key: "org", Value: "go lang"}, {Key: "id", Value: "42"}}},
		{"Param", d.Param("org") + "," + d.Param("id") + "," + d.Param("none"), "go lang,42,"},
		{"Header", d.Header.Get("X-Job"), "report"},
		{"Query", d.Query["q"], []string{"fast", "now"}},
		{"ClientIP", d.ClientIP, "203.0.113.7"},
		{"RemoteAddr is the peer", d.RemoteAddr, conn.LocalAddr().String()},
		{"RequestID", d.RequestID, "req-42"},
		{"RequestID is the one answered", first.Header.Get("X-Request-Id"), "req-42"},
		{"Get", user, "ada"},
		{"Get finds", found, true},
		{"Context keeps values", d.Context().Value(detachKey{}), "traced"},
		{"Context is not cancelled", d.Context().Err(), nil},
		{"Context is the same each time", d.Context() == k.detached, true},
	} {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if !slices.Equal(d.Query["q"], []string{"fast", "now"}) {
		t.Errorf("the copy's query changed with the request's: %v", d.Query)
	}
	var zero hyperlane.Detached
	if zero.Context() == nil || zero.Param("x") != "" {
		t.Error("a zero Detached is not usable")
	}
}
