package adapter

import (
	"net/url"
	"testing"
)

func TestStripPrefix(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prefix  string
		target  string // request target, parsed as net/http does
		ok      bool
		path    string
		rawPath string
	}{
		{name: "prefix alone is the root", prefix: "/api", target: "/api", ok: true, path: "/"},
		{name: "prefix with slash is the root", prefix: "/api", target: "/api/", ok: true, path: "/"},
		{name: "path below the prefix", prefix: "/api", target: "/api/users/7", ok: true, path: "/users/7"},
		{name: "trailing slash below the prefix is kept", prefix: "/api", target: "/api/users/", ok: true, path: "/users/"},
		{name: "query is not part of the path", prefix: "/api", target: "/api/x?y=/api", ok: true, path: "/x"},
		{name: "multi-segment prefix", prefix: "/a/b", target: "/a/b/c", ok: true, path: "/c"},
		{name: "a longer first segment is not the prefix", prefix: "/api", target: "/apix/users", ok: false},
		{name: "a path above the prefix is not under it", prefix: "/api", target: "/", ok: false},
		{name: "escaped slash below the prefix stays escaped", prefix: "/api", target: "/api/files/a%2Fb",
			ok: true, path: "/files/a/b", rawPath: "/files/a%2Fb"},
		{name: "escaped prefix is recognised", prefix: "/api", target: "/%61pi/files/a%2Fb",
			ok: true, path: "/files/a/b", rawPath: "/files/a%2Fb"},
		{name: "raw path dropped when the rest needs none", prefix: "/api", target: "/%61pi/users/7",
			ok: true, path: "/users/7"},
		{name: "escaped prefix alone is the root", prefix: "/api", target: "/%61pi", ok: true, path: "/"},
		{name: "non-ASCII prefix", prefix: "/ä", target: "/%C3%A4/x%2Fy", ok: true, path: "/x/y", rawPath: "/x%2Fy"},
		{name: "escaped slash inside the prefix segment is not the prefix", prefix: "/api", target: "/api%2Fusers", ok: false},
		{name: "escaped slash joining prefix segments is not the prefix", prefix: "/a/b", target: "/a%2Fb/c", ok: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.ParseRequestURI(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			orig := *u
			got, ok := stripPrefix(u, tc.prefix)
			if ok != tc.ok {
				t.Fatalf("stripPrefix(%q, %q) ok = %v, want %v", tc.target, tc.prefix, ok, tc.ok)
			}
			if *u != orig {
				t.Errorf("the request's URL was modified: %+v", u)
			}
			if !ok {
				return
			}
			if got.Path != tc.path || got.RawPath != tc.rawPath {
				t.Errorf("Path, RawPath = %q, %q; want %q, %q", got.Path, got.RawPath, tc.path, tc.rawPath)
			}
			if got.RawQuery != u.RawQuery {
				t.Errorf("query %q, want %q", got.RawQuery, u.RawQuery)
			}
			if got.RawPath != "" {
				if p, err := url.PathUnescape(got.RawPath); err != nil || p != got.Path {
					t.Errorf("RawPath %q does not spell Path %q", got.RawPath, got.Path)
				}
			}
		})
	}
}
