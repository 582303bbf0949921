package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
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
	sum := sha256.Sum256(b)
	return &asset{body: b, version: base64.RawURLEncoding.EncodeToString(sum[:12])}, nil
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
	js := a.rapiDocJS
	h := c.ResponseHeader()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+js.version+`"`)
	if c.Query("v") == js.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match (304), HEAD and ranges, and
	// streams from the one shared copy.
	http.ServeContent(c.RawWriter(), c.Request(), "", time.Time{}, bytes.NewReader(js.body))
	return nil
}

// logRapiDocCDN logs, once, that the page depends on the CDN.
func (a *API) logRapiDocCDN(c *hyperlane.Context) {
	a.rapiDocOnce.Do(func() {
		c.Logger().InfoContext(c.Context(), "openapi: the RapiDoc page loads its script from a CDN and needs network; set openapi.Config.RapiDocDir to serve it from the app",
			"page", c.MountPrefix()+a.config.RapiDocPath, "script", a.config.RapiDocScriptURL)
	})
}
