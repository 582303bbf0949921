package mounttest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// Note is the body of GET /notes/{id} in APIApp.
type Note struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
}

type noteID struct {
	ID int64 `path:"id" minimum:"1"`
}

// APIApp returns App with a documented API on it: openapi.New at the
// default paths (/openapi.json, /openapi.yaml, /swagger, /rapidoc) and
// the typed operation
//
//	GET /notes/{id}   note 1 is {"id":1,"text":"one"}; any other id a 404 problem
//
// opts configure the server, for instance hyperlane.WithTrustedProxies.
// CheckAPI exercises it.
func APIApp(opts ...hyperlane.Option) *hyperlane.Server {
	s := App(opts...)
	api := openapi.New(s, openapi.Config{Title: "mounttest", Version: "1.0.0"})
	openapi.Get(api, "/notes/{id}", func(c *hyperlane.Context, in *noteID) (*Note, error) {
		if in.ID != 1 {
			return nil, hyperlane.Errorf(http.StatusNotFound, "no note %d", in.ID)
		}
		return &Note{ID: 1, Text: "one"}, nil
	}, openapi.Errors(http.StatusNotFound))
	return s
}

// CheckAPI exercises APIApp mounted at base, the absolute URL of its
// prefix, as Check does App: a typed route with a path parameter, the
// problem instance and redirect Location under the prefix, the document's
// servers, and the Swagger UI and RapiDoc pages loading the document and
// their assets from under the prefix.
func CheckAPI(t *testing.T, base string) {
	t.Helper()
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || u.Host == "" {
		t.Fatalf("mounttest: base %q is not an absolute URL: %v", base, err)
	}
	CheckAPIPrefix(t, u.String(), u.Path)
}

// CheckAPIPrefix is CheckAPI for an app that base reaches but that sees
// itself mounted under prefix: behind a reverse proxy that strips a path
// prefix and names it in X-Forwarded-Prefix, base is the proxy's URL of
// the app and prefix what the app must put in its links. Links are
// checked to carry exactly prefix, and nothing else.
func CheckAPIPrefix(t *testing.T, base, prefix string) {
	t.Helper()
	base = strings.TrimSuffix(base, "/")
	client := &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	get := func(t *testing.T, path string, want int) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("GET %s: status %d, want %d; body %.300q", path, resp.StatusCode, want, b)
		}
		return resp, string(b)
	}
	t.Run("typed route with a path parameter", func(t *testing.T) {
		_, body := get(t, "/notes/1", http.StatusOK)
		if !strings.Contains(body, `"text":"one"`) {
			t.Errorf("GET /notes/1: body %q", body)
		}
	})
	t.Run("problem instance keeps the prefix", func(t *testing.T) {
		_, body := get(t, "/notes/2", http.StatusNotFound)
		var p struct{ Instance string }
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.Instance != prefix+"/notes/2" {
			t.Errorf("GET /notes/2: instance %q, want %q; body %q", p.Instance, prefix+"/notes/2", body)
		}
	})
	t.Run("redirect Location keeps the prefix", func(t *testing.T) {
		resp, _ := get(t, "/old", http.StatusFound)
		if got := resp.Header.Get("Location"); got != prefix+"/hello" {
			t.Errorf("GET /old: Location %q, want %q", got, prefix+"/hello")
		}
	})
	t.Run("document servers carry the prefix", func(t *testing.T) {
		for _, path := range []string{"/openapi.json", "/openapi-3.0.json"} {
			_, body := get(t, path, http.StatusOK)
			var doc struct{ Servers []struct{ URL string } }
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			want := prefix
			if len(doc.Servers) == 0 && want == "" {
				continue // an app at the root lists no servers
			}
			if len(doc.Servers) != 1 || doc.Servers[0].URL != want {
				t.Errorf("GET %s: servers %+v, want one with URL %q", path, doc.Servers, want)
			}
		}
	})
	t.Run("Swagger UI loads the prefixed document and assets", func(t *testing.T) {
		_, page := get(t, "/swagger", http.StatusOK)
		if !strings.Contains(page, `"`+prefix+`/openapi.json"`) {
			t.Errorf("/swagger does not load %s/openapi.json: %.2000s", prefix, page)
		}
		src := assetRefs(page)
		if len(src) == 0 {
			t.Fatalf("/swagger references no script: %.2000s", page)
		}
		for _, ref := range src {
			if !strings.HasPrefix(ref, prefix+"/swagger/") {
				t.Errorf("/swagger loads %q, not under %s/swagger/", ref, prefix)
				continue
			}
			get(t, strings.TrimPrefix(ref, prefix), http.StatusOK)
		}
	})
	t.Run("RapiDoc loads the prefixed document", func(t *testing.T) {
		_, page := get(t, "/rapidoc", http.StatusOK)
		if !strings.Contains(page, `spec-url="`+prefix+`/openapi.json"`) {
			t.Errorf("/rapidoc does not load %s/openapi.json: %.2000s", prefix, page)
		}
	})
}

// assetRefs returns the path-absolute src and href attributes of a page.
func assetRefs(page string) []string {
	var out []string
	for _, attr := range []string{`src="`, `href="`} {
		rest := page
		for {
			i := strings.Index(rest, attr)
			if i < 0 {
				break
			}
			rest = rest[i+len(attr):]
			end := strings.IndexByte(rest, '"')
			if end < 0 {
				break
			}
			if ref := rest[:end]; strings.HasPrefix(ref, "/") {
				out = append(out, ref)
			}
			rest = rest[end:]
		}
	}
	return out
}
