package openapi

import (
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// The files Config.AsyncAPIDir must hold: the standalone bundle of the
// npm package @asyncapi/react-component (browser/standalone/index.js)
// and its stylesheet (styles/default.min.css).
const (
	AsyncAPIScript     = "index.js"
	AsyncAPIStylesheet = "default.min.css"
)

// The viewer files loaded without Config.AsyncAPIDir: the pinned
// @asyncapi/react-component 3.2.1 from a CDN, checked by their
// Subresource Integrity hashes (SHA-384 of the npm package's files,
// which the CDN serves unchanged).
const (
	DefaultAsyncAPIScriptURL     = "https://cdn.jsdelivr.net/npm/@asyncapi/react-component@3.2.1/browser/standalone/index.js"
	DefaultAsyncAPIScriptSRI     = "sha384-wy5bSOazlkSKMGH7XMW6+pK8ho8+rCPr7mTqKdAb/dvfwXAPWCFivgr3C7wJMFAh"
	DefaultAsyncAPIStylesheetURL = "https://cdn.jsdelivr.net/npm/@asyncapi/react-component@3.2.1/styles/default.min.css"
	DefaultAsyncAPIStylesheetSRI = "sha384-oo9RoQcacP++XdMX6CjTucTvASEORHX3chFik0/V2kHcsHiVboGyWZztGeq/0bum"
)

// asyncAPIAssets are the viewer's files, read once at New.
type asyncAPIAssets struct {
	script, style *asset
}

// loadAsyncAPIViewer reads the viewer's files from Config.AsyncAPIDir;
// nil when it is not set or the page is disabled.
func loadAsyncAPIViewer(cfg Config) (*asyncAPIAssets, error) {
	if cfg.AsyncAPIDir == "" || cfg.AsyncAPIPath == Disabled {
		return nil, nil
	}
	hint := "(fetch it with `go run github.com/hyperlane-go/hyperlane/scripts/uiassets`, or leave AsyncAPIDir empty to load it from the CDN)"
	root, err := os.OpenRoot(cfg.AsyncAPIDir)
	if err != nil {
		return nil, fmt.Errorf("openapi.New: Config.AsyncAPIDir %q: %w %s", cfg.AsyncAPIDir, err, hint)
	}
	defer root.Close()
	var out asyncAPIAssets
	for _, f := range []struct {
		name string
		into **asset
	}{{AsyncAPIScript, &out.script}, {AsyncAPIStylesheet, &out.style}} {
		b, err := fs.ReadFile(root.FS(), f.name)
		if err == nil && len(b) == 0 {
			err = errors.New("the file is empty")
		}
		if err != nil {
			return nil, fmt.Errorf("openapi.New: Config.AsyncAPIDir %q has no usable %s: %w %s", cfg.AsyncAPIDir, f.name, err, hint)
		}
		if *f.into, err = newAsset(f.name, b); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// asyncViewerBoot is the page's only inline script, allowed by its hash:
// it reads the document's URL from the page, so it is the same under
// every prefix.
const asyncViewerBoot = `var el=document.getElementById("asyncapi");` +
	`AsyncApiStandalone.render({schema:{url:el.getAttribute("data-url"),requestOptions:{}},` +
	`config:{show:{sidebar:true,errors:true},sidebar:{showOperations:"byDefault"}}},el);`

// asyncViewer serves the AsyncAPI viewer page, which renders the JSON
// document of the prefix it was reached by.
//
// Its policy allows 'unsafe-eval': the component parses the document
// with @asyncapi/parser, which validates it with Ajv, and Ajv compiles
// each schema into a function with new Function. There is no build of
// the component without it; the page's scripts still come only from the
// app (or the pinned CDN files), and nothing else is inline.
func (a *API) asyncViewer(c *hyperlane.Context) error {
	cfg := a.config
	script, style := DefaultAsyncAPIScriptURL, DefaultAsyncAPIStylesheetURL
	scriptSRI, styleSRI := ` integrity="`+DefaultAsyncAPIScriptSRI+`" crossorigin="anonymous"`, ` integrity="`+DefaultAsyncAPIStylesheetSRI+`" crossorigin="anonymous"`
	if ui := a.asyncUI; ui != nil {
		base := ""
		if p := cfg.AsyncAPIPath; !strings.HasSuffix(p, "/") {
			base = path.Base(p) + "/"
		}
		script = base + AsyncAPIScript + "?v=" + ui.script.version
		style = base + AsyncAPIStylesheet + "?v=" + ui.style.version
		scriptSRI, styleSRI = "", ""
	} else {
		a.asyncOnce.Do(func() {
			c.Logger().InfoContext(c.Context(), "openapi: the AsyncAPI viewer loads its script from a CDN and needs network; set openapi.Config.AsyncAPIDir to serve it from the app",
				"page", c.MountPrefix()+cfg.AsyncAPIPath, "script", script)
		})
	}
	docURL := c.MountPrefix() + cfg.AsyncAPIJSONPath
	page := `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + html.EscapeString(cfg.Title) + ` - AsyncAPI</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="` + html.EscapeString(style) + `"` + styleSRI + `>
<script src="` + html.EscapeString(script) + `"` + scriptSRI + `></script>
</head>
<body>
<div id="asyncapi" data-url="` + html.EscapeString(docURL) + `"></div>
<script>` + asyncViewerBoot + `</script>
</body>
</html>
`
	sources := "'self'"
	if a.asyncUI == nil {
		sources += " https://cdn.jsdelivr.net"
	}
	setPageHeaders(c, "default-src 'none'; script-src "+sources+" 'unsafe-eval' "+inlineScriptHashes([]byte(page))+
		"; style-src "+sources+" 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'"+
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	return c.HTML(http.StatusOK, page)
}

// asyncViewerAsset serves the viewer's two files, and nothing else.
func (a *API) asyncViewerAsset(c *hyperlane.Context) error {
	switch c.Param("file") {
	case AsyncAPIScript:
		return serveAsset(c, a.asyncUI.script, "text/javascript; charset=utf-8")
	case AsyncAPIStylesheet:
		return serveAsset(c, a.asyncUI.style, "text/css; charset=utf-8")
	}
	return hyperlane.Error(http.StatusNotFound, "no such file")
}
