package hyperlane_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestCleanMountPrefix(t *testing.T) {
	tests := []struct {
		name, prefix, want, err string
	}{
		{name: "empty is the root", prefix: "", want: ""},
		{name: "a lone slash is the root", prefix: "/", want: ""},
		{name: "a plain prefix is kept", prefix: "/api", want: "/api"},
		{name: "one trailing slash is dropped, as in net/http and chi", prefix: "/api/", want: "/api"},
		{name: "a parameter segment is kept", prefix: "/t/{tenant}/", want: "/t/{tenant}"},
		{name: "a regex parameter is kept", prefix: "/v/{n:[0-9]+}", want: "/v/{n:[0-9]+}"},
		{name: "a relative prefix is refused", prefix: "api",
			err: `mount prefix "api" must begin with '/'`},
		{name: "two slashes are an empty segment", prefix: "//",
			err: `mount prefix "//" has an empty segment`},
		{name: "an empty segment inside is refused", prefix: "/a//b",
			err: `mount prefix "/a//b" has an empty segment`},
		{name: "two trailing slashes are an empty segment", prefix: "/a//",
			err: `mount prefix "/a//" has an empty segment`},
		{name: "a star catch-all is refused", prefix: "/files/*",
			err: `mount prefix "/files/*" must be a plain path, without catch-all`},
		{name: "a named catch-all is refused", prefix: "/files/{p:.*}",
			err: `mount prefix "/files/{p:.*}" must be a plain path, without catch-all`},
		{name: "another router's parameter syntax names the fix", prefix: "/t/:tenant/",
			err: `mount prefix "/t/:tenant/": segment ":tenant" is another router's parameter syntax: write "{tenant}"`},
		{name: "a parameter within a segment is refused", prefix: "/a/x{b}",
			err: `mount prefix "/a/x{b}": parameter {b} must be a whole path segment`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hyperlane.CleanMountPrefix(tc.prefix)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("CleanMountPrefix(%q) = %q, %v; want error %q", tc.prefix, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CleanMountPrefix(%q) = %q, %v; want %q", tc.prefix, got, err, tc.want)
			}
		})
	}
}

// Group.Mount takes a prefix as net/http and chi users write it, trailing
// slash included, and "/" mounts at the group itself; over a real socket
// the mounted handler sees the stripped path and the prefix.
func TestGroupMountAcceptsTrailingSlashAndRoot(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "path=%s prefix=%s", r.URL.Path, hyperlane.MountPrefix(r))
	})
	s := quiet()
	s.Mount("/api/", echo)
	s.Group("/g", func(g *hyperlane.Group) { g.Mount("/", echo) })
	root := quiet()
	root.Get("/own", say("own route"))
	root.Mount("/", echo)
	srv, rootSrv := httptest.NewServer(s), httptest.NewServer(root)
	defer srv.Close()
	defer rootSrv.Close()

	tests := []struct{ name, url, want string }{
		{"a trailing slash in the prefix is dropped", srv.URL + "/api/users/7", "path=/users/7 prefix=/api"},
		{"the prefix alone is the mounted root", srv.URL + "/api", "path=/ prefix=/api"},
		{"a slash mounts at the group's prefix", srv.URL + "/g/x", "path=/x prefix=/g"},
		{"a slash on the server mounts at the root", rootSrv.URL + "/any/thing", "path=/any/thing prefix="},
		{"the root itself goes to the root mount", rootSrv.URL + "/", "path=/ prefix="},
		{"a route beside a root mount still wins", rootSrv.URL + "/own", "own route"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || string(body) != tc.want {
				t.Fatalf("GET %s = %d %q, want 200 %q", tc.url, res.StatusCode, body, tc.want)
			}
		})
	}
}
