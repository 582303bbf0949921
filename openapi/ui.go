package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"
)

// The RapiDoc script loaded by default: a pinned version from a CDN,
// checked by its Subresource Integrity hash (the SHA-384 of
// dist/rapidoc-min.js in the npm package rapidoc@9.3.8, which the CDN
// serves unchanged).
const (
	DefaultRapiDocScriptURL = "https://cdn.jsdelivr.net/npm/rapidoc@9.3.8/dist/rapidoc-min.js"
	DefaultRapiDocIntegrity = "sha384-szzoYhqSJqZH8X90KwbBjYL1CMLEa3U7xl/oAZg4ViKpYEY5GVhM+peBQB4u7ANM"
)

// swaggerPage is Swagger UI for one mount prefix: the index page, its
// Content-Security-Policy, and the handler of the embedded assets.
type swaggerPage struct {
	index  []byte
	csp    string
	assets http.Handler
}

// maxPages bounds the Swagger UI pages kept, one per mount prefix.
const maxPages = 16

// swaggerUI serves Swagger UI (v5, assets embedded: no network needed).
// The page loads the 3.1 document and calls the API through the mount
// prefix, so it works the same when the app is mounted under one.
func (a *API) swaggerUI(c *hyperlane.Context) error {
	page := a.swaggerPage(c.MountPrefix())
	if file := c.Param("file"); file != "" {
		// Stream the assets (the bundle is 1.5 MB): buffering them per
		// request would let slow readers pin that much memory each.
		page.assets.ServeHTTP(c.RawWriter(), c.Request())
		return nil
	}
	setPageHeaders(c, page.csp)
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", page.index)
}

func (a *API) swaggerPage(prefix string) *swaggerPage {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.pages[prefix]; ok {
		return p
	}
	base := a.config.SwaggerPath + "/"
	h := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:            a.config.Title,
		SwaggerJSON:      prefix + a.config.JSONPath,
		BasePath:         prefix + base,
		InternalBasePath: base,
		SettingsUI:       map[string]string{"defaultModelsExpandDepth": "1"},
	})
	var w pageWriter
	h.ServeHTTP(&w, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: base}})
	p := &swaggerPage{index: w.body.Bytes(), assets: h}
	// The page's only inline script is allowed by its hash.
	p.csp = "default-src 'none'; script-src 'self' " + inlineScriptHashes(p.index) +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'" +
		a.serverOrigins() + "; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
	if len(a.pages) < maxPages {
		a.pages[prefix] = p
	}
	return p
}

// rapiDoc serves the RapiDoc page, which loads its script from the app
// (Config.RapiDocDir, see rapidoc.go) or from Config.RapiDocScriptURL.
// The page uses system fonts (load-fonts="false": no font CDN), so that
// nothing but the script (and the document) is fetched.
func (a *API) rapiDoc(c *hyperlane.Context) error {
	cfg := a.config
	src := cfg.RapiDocScriptURL
	if a.rapiDocJS != nil {
		src = a.rapiDocScriptSrc()
	} else if a.rapiDocCDN {
		a.logRapiDocCDN(c)
	}
	integrity := ""
	if cfg.RapiDocIntegrity != "" && a.rapiDocJS == nil {
		integrity = ` integrity="` + html.EscapeString(cfg.RapiDocIntegrity) + `" crossorigin="anonymous"`
	}
	page := `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + html.EscapeString(cfg.Title) + ` - RapiDoc</title>
<link rel="icon" href="data:,">
<script type="module" src="` + html.EscapeString(src) + `"` + integrity + `></script>
</head>
<body>
<rapi-doc spec-url="` + html.EscapeString(c.MountPrefix()+cfg.JSONPath) + `" render-style="read" show-header="false"
 allow-spec-url-load="false" allow-spec-file-load="false" load-fonts="false"
 regular-font="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
 mono-font="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"></rapi-doc>
</body>
</html>
`
	scripts := "'self'"
	if o := origin(src); o != "" {
		scripts += " " + o
	}
	setPageHeaders(c, "default-src 'none'; script-src "+scripts+
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'"+
		a.serverOrigins()+"; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	return c.HTML(http.StatusOK, page)
}

func setPageHeaders(c *hyperlane.Context, csp string) {
	h := c.ResponseHeader()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

// serverOrigins lists the origins of absolute server URLs, which
// Try-it-out must be allowed to call.
func (a *API) serverOrigins() string {
	var out string
	for _, s := range a.config.Servers {
		if o := origin(s.URL); o != "" && !strings.Contains(out, " "+o) {
			out += " " + o
		}
	}
	return out
}

// origin returns "scheme://host" of an absolute http(s) URL, or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// inlineScriptHashes returns the CSP hash source of every inline script
// of a page.
func inlineScriptHashes(page []byte) string {
	var out []string
	rest := page
	for {
		i := bytes.Index(rest, []byte("<script>"))
		if i < 0 {
			break
		}
		rest = rest[i+len("<script>"):]
		end := bytes.Index(rest, []byte("</script>"))
		if end < 0 {
			break
		}
		sum := sha256.Sum256(rest[:end])
		out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		rest = rest[end:]
	}
	return strings.Join(out, " ")
}

// pageWriter captures a page rendered by an http.Handler.
type pageWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (w *pageWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *pageWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

func (w *pageWriter) WriteHeader(int) {}
