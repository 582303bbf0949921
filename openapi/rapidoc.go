package openapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// RapiDocScript is the file Config.RapiDocDir must hold: the bundle of
// the npm package rapidoc (its dist/rapidoc-min.js).
const RapiDocScript = "rapidoc-min.js"

// asset is one file the app serves from memory, read once at New.
type asset struct {
	body    []byte
	gzipped []byte // body gzip-compressed once, for clients that accept it
	version string // short content hash: the ?v= of the page's URL, and the ETag
}

// loadRapiDoc reads RapiDocScript from Config.RapiDocDir; nil when the
// directory is not set or the page is disabled. The error names the
// function, the field and the directory.
func loadRapiDoc(cfg Config) (*asset, error) {
	if cfg.RapiDocDir == "" || cfg.RapiDocPath == Disabled {
		return nil, nil
	}
	if cfg.RapiDocScriptURL != "" {
		return nil, fmt.Errorf("openapi.New: Config.RapiDocDir %q and Config.RapiDocScriptURL %q are both set: the page loads its script from one of them; unset one",
			cfg.RapiDocDir, cfg.RapiDocScriptURL)
	}
	// os.Root: the one name is read inside the directory, never through
	// a symbolic link pointing out of it.
	root, err := os.OpenRoot(cfg.RapiDocDir)
	if err != nil {
		return nil, fmt.Errorf("openapi.New: Config.RapiDocDir %q: %w (fetch RapiDoc with `go run github.com/hyperlane-go/hyperlane/scripts/uiassets`, or leave RapiDocDir empty to load it from the CDN)", cfg.RapiDocDir, err)
	}
	defer root.Close()
	b, err := fs.ReadFile(root.FS(), RapiDocScript)
	if err == nil && len(b) == 0 {
		err = errors.New("the file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("openapi.New: Config.RapiDocDir %q has no usable %s: %w (fetch RapiDoc with `go run github.com/hyperlane-go/hyperlane/scripts/uiassets`, or leave RapiDocDir empty to load it from the CDN)",
			cfg.RapiDocDir, RapiDocScript, err)
	}
	return newAsset(RapiDocScript, b)
}

// newAsset keeps b in memory with its gzip form and content hash.
func newAsset(name string, b []byte) (*asset, error) {
	sum := sha256.Sum256(b)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // a valid level: no error
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("openapi.New: compressing %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("openapi.New: compressing %s: %w", name, err)
	}
	return &asset{body: b, gzipped: gz.Bytes(), version: base64.RawURLEncoding.EncodeToString(sum[:12])}, nil
}

// rapiDocScriptSrc is the script URL of the page: relative to the page
// (RapiDocPath "/docs/rapidoc" gives "rapidoc/rapidoc-min.js?v=...", and
// "/docs/" gives "rapidoc-min.js?v=..."), so that it resolves under
// whatever prefix the page was reached by.
func (a *API) rapiDocScriptSrc() string {
	file := RapiDocScript + "?v=" + a.rapiDocJS.version
	if p := a.config.RapiDocPath; !strings.HasSuffix(p, "/") {
		return path.Base(p) + "/" + file
	}
	return file
}

// rapiDocAsset serves rapidoc-min.js from memory, and nothing else: any
// other name under RapiDocPath is a 404. The versioned URL the page uses
// is cached for a year; any other is revalidated by its ETag.
func (a *API) rapiDocAsset(c *hyperlane.Context) error {
	if c.Param("file") != RapiDocScript {
		return hyperlane.Error(http.StatusNotFound, "no such file")
	}
	return serveAsset(c, a.rapiDocJS, "text/javascript; charset=utf-8")
}

// serveAsset serves an asset from memory: gzip-encoded for a client that
// accepts it, cached for a year at its versioned URL (?v=), revalidated
// by its ETag at any other.
func serveAsset(c *hyperlane.Context, js *asset, contentType string) error {
	h := c.ResponseHeader()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	body, tag := js.body, `"`+js.version+`"`
	if acceptsGzip(c.Request().Header.Values("Accept-Encoding")) {
		// The response is written around any Compress middleware
		// (RawWriter), so the script, about a megabyte, is sent
		// compressed here: a quarter of its size. A representation of
		// its own, so its own ETag; ranges apply to the gzip bytes.
		body, tag = js.gzipped, `"`+js.version+`-gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", tag)
	if c.Query("v") == js.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match (304), HEAD and ranges, and
	// streams from the one shared copy.
	http.ServeContent(c.RawWriter(), c.Request(), "", time.Time{}, bytes.NewReader(body))
	return nil
}

// acceptsGzip reports whether Accept-Encoding values accept gzip: named
// with q > 0, or covered by "*" with q > 0 when gzip is not named.
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(item, ";")
			q := 1.0
			if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0 // malformed: not accepted
				}
			}
			switch name = strings.TrimSpace(name); {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				gzipQ = max(gzipQ, q)
			case name == "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// logRapiDocCDN logs, once, that the page depends on the CDN.
func (a *API) logRapiDocCDN(c *hyperlane.Context) {
	a.rapiDocOnce.Do(func() {
		c.Logger().InfoContext(c.Context(), "openapi: the RapiDoc page loads its script from a CDN and needs network; set openapi.Config.RapiDocDir to serve it from the app",
			"page", c.MountPrefix()+a.config.RapiDocPath, "script", a.config.RapiDocScriptURL)
	})
}
