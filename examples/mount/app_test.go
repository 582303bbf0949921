package main

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// newTestServer serves the whole app, host and mounted API, on a socket.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newApp(slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return srv
}

type exchange struct {
	name, method, path, body string
	auth                     bool // send the bearer token
	status                   int
	contains                 []string          // in the body
	header                   map[string]string // prefix of the header value
}

// do runs one exchange; redirects are not followed.
func (e exchange) do(t *testing.T, base string) []byte {
	t.Helper()
	req, err := http.NewRequest(e.method, base+e.path, strings.NewReader(e.body))
	if err != nil {
		t.Fatal(err)
	}
	if e.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.auth {
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != e.status {
		t.Fatalf("%s %s: status %d, want %d; body %s", e.method, e.path, resp.StatusCode, e.status, body)
	}
	for _, s := range e.contains {
		if !strings.Contains(string(body), s) {
			t.Errorf("%s %s: body %s does not contain %q", e.method, e.path, body, s)
		}
	}
	for k, v := range e.header {
		if got := resp.Header.Get(k); !strings.HasPrefix(got, v) {
			t.Errorf("%s %s: %s %q, want %q", e.method, e.path, k, got, v)
		}
	}
	return body
}

func TestHostAndAPI(t *testing.T) {
	base := newTestServer(t).URL
	for _, e := range []exchange{
		{name: "the host app keeps its own pages", method: "GET", path: "/", status: 200,
			contains: []string{`href="/api/swagger"`}, header: map[string]string{"X-Request-Id": ""}},
		{name: "and its own routes", method: "GET", path: "/healthz", status: 200, contains: []string{"ok"}},
		{name: "the host's middleware wraps the API too", method: "GET", path: "/api/notes", status: 200,
			contains: []string{`"items":[]`, `"total":0`}, header: map[string]string{"X-Request-Id": "", "Content-Type": "application/json"}},
		{name: "the host's auth middleware guards a typed operation", method: "POST", path: "/api/notes",
			body: `{"text":"hello"}`, status: 401, contains: []string{"bearer token"},
			header: map[string]string{"WWW-Authenticate": "Bearer"}},
		{name: "a write with the token", method: "POST", path: "/api/notes", body: `{"text":"hello"}`, auth: true,
			status: 201, contains: []string{`"id":1`, `"text":"hello"`, `"request_id":"`}},
		{name: "validation still applies behind the middleware", method: "POST", path: "/api/notes", body: `{"text":""}`,
			auth: true, status: 422, header: map[string]string{"Content-Type": "application/problem+json"}},
		{name: "a parameter route under the mount", method: "GET", path: "/api/notes/1", status: 200,
			contains: []string{`"text":"hello"`}},
		{name: "the API's 404 is Hyperlane's problem", method: "GET", path: "/api/notes/9", status: 404,
			contains: []string{`"detail":"no note 9"`, `"instance":"/api/notes/9"`}},
		{name: "an unknown API path is Hyperlane's 404", method: "GET", path: "/api/nope", status: 404,
			header: map[string]string{"Content-Type": "application/problem+json"}},
		{name: "a wrong method is Hyperlane's 405 with Allow", method: "PUT", path: "/api/notes", status: 405,
			header: map[string]string{"Allow": "GET, HEAD, POST, OPTIONS"}},
		{name: "a redirect keeps the mount prefix", method: "GET", path: "/api/all", status: 301,
			header: map[string]string{"Location": "/api/notes"}},
		{name: "delete needs the token", method: "DELETE", path: "/api/notes/1", status: 401},
		{name: "delete with the token", method: "DELETE", path: "/api/notes/1", auth: true, status: 204},
		{name: "an unknown host path is the host's 404", method: "GET", path: "/nope", status: 404,
			contains: []string{"404 page not found"}},
	} {
		t.Run(e.name, func(t *testing.T) { e.do(t, base) })
	}
}

func TestDocsUnderTheMount(t *testing.T) {
	base := newTestServer(t).URL
	t.Run("the document lists the mount prefix as its server", func(t *testing.T) {
		body := exchange{method: "GET", path: "/api/openapi.json", status: 200}.do(t, base)
		var doc struct {
			Servers []struct{ URL string } `json:"servers"`
			Paths   map[string]any         `json:"paths"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Servers) != 1 || doc.Servers[0].URL != "/api" {
			t.Errorf("servers %+v, want just /api", doc.Servers)
		}
		for _, p := range []string{"/notes", "/notes/{id}"} {
			if _, ok := doc.Paths[p]; !ok {
				t.Errorf("path %s missing from %v", p, doc.Paths)
			}
		}
	})
	t.Run("Swagger UI loads the document and its assets under the prefix", func(t *testing.T) {
		page := exchange{method: "GET", path: "/api/swagger", status: 200,
			contains: []string{"/api/openapi.json"}, header: map[string]string{"Content-Type": "text/html"}}.do(t, base)
		// Every asset the page names must load through the mount.
		assets := 0
		for _, attr := range []string{`src="`, `href="`} {
			for rest := string(page); ; {
				i := strings.Index(rest, attr)
				if i < 0 {
					break
				}
				rest = rest[i+len(attr):]
				u := rest[:strings.IndexByte(rest, '"')]
				if !strings.HasPrefix(u, "/") {
					continue
				}
				assets++
				if !strings.HasPrefix(u, "/api/swagger/") {
					t.Errorf("asset %s is outside the mount", u)
					continue
				}
				exchange{method: "GET", path: u, status: 200}.do(t, base)
			}
		}
		if assets == 0 {
			t.Errorf("no assets found in the page:\n%s", page)
		}
	})
}

func TestLogsEveryRequestOnce(t *testing.T) {
	var buf strings.Builder
	srv := httptest.NewServer(newApp(slog.New(slog.NewTextHandler(&buf, nil))))
	exchange{method: "GET", path: "/api/nope", status: 404}.do(t, srv.URL)
	srv.Close()
	sc := bufio.NewScanner(strings.NewReader(buf.String()))
	var lines []string
	for sc.Scan() {
		if strings.Contains(sc.Text(), "msg=request") {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "path=/api/nope") || !strings.Contains(lines[0], "status=404") {
		t.Errorf("request log lines %q, want one with the full path and the API's status", lines)
	}
}
