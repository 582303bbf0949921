package openapi

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/swaggest/openapi-go/openapi3"
	"github.com/swaggest/openapi-go/openapi31"
)

// Default paths where New serves the documents and the doc pages.
const (
	DefaultJSONPath    = "/openapi.json"
	DefaultYAMLPath    = "/openapi.yaml"
	DefaultJSON30Path  = "/openapi-3.0.json"
	DefaultYAML30Path  = "/openapi-3.0.yaml"
	DefaultSwaggerPath = "/swagger"
	DefaultRapiDocPath = "/rapidoc"

	DefaultAsyncAPIJSONPath = "/asyncapi.json"
	DefaultAsyncAPIYAMLPath = "/asyncapi.yaml"
	DefaultAsyncAPIPath     = "/asyncapi"
)

// Disabled as a Config path turns that route off.
const Disabled = "-"

// Config describes the API and where its documents are served. Every
// field is optional; empty paths take the defaults above.
type Config struct {
	Title       string // default "API"
	Version     string // default "0.0.0"
	Description string // Markdown
	Servers     []Server
	Contact     *Contact
	License     *License
	Tags        []Tag // descriptions of the tags operations use

	// SecuritySchemes are the ways callers authenticate; operations name
	// the ones they require with the Security option.
	SecuritySchemes []SecurityScheme

	// Prefix, such as "/v2", puts the whole API under a path prefix: its
	// operations (openapi.Get(api, "/pets", ...) serves /v2/pets), and
	// its documents and doc pages (/v2/openapi.json, /v2/swagger, ...;
	// the paths below are relative to it). Several APIs, each with its
	// own Prefix, share one Server, each with its own document; the
	// "openapi" command of an API under "/v2" is "openapi-v2".
	Prefix string

	JSONPath    string // OpenAPI 3.1 as JSON, default /openapi.json
	YAMLPath    string // OpenAPI 3.1 as YAML, default /openapi.yaml
	JSON30Path  string // OpenAPI 3.0.3 as JSON, default /openapi-3.0.json
	YAML30Path  string // OpenAPI 3.0.3 as YAML, default /openapi-3.0.yaml
	SwaggerPath string // Swagger UI (embedded, works offline), default /swagger
	RapiDocPath string // RapiDoc page, default /rapidoc

	AsyncAPIJSONPath string // AsyncAPI 3.0 as JSON, default /asyncapi.json
	AsyncAPIYAMLPath string // AsyncAPI 3.0 as YAML, default /asyncapi.yaml
	AsyncAPIPath     string // the AsyncAPI viewer page, default /asyncapi

	// ForbidUnknownFields closes every JSON object the document reflects
	// from a struct (additionalProperties: false), so that a request body
	// property the type has no field for is a 422 naming it, as FastAPI's
	// extra="forbid" does. By default unknown properties are ignored, as
	// encoding/json ignores them, and the document does not forbid them.
	// Either way the validator follows the document. One type can choose
	// for itself with a field `_ struct{} additionalProperties:"false"`
	// (or "true" to stay open under ForbidUnknownFields).
	ForbidUnknownFields bool

	// RapiDocDir is a directory holding rapidoc-min.js (`make ui-assets`
	// or `go run github.com/hyperlane-go/hyperlane/scripts/uiassets`
	// writes the pinned, checksum-verified RapiDoc 9.3.8 into
	// ui-assets/rapidoc). New reads the file once and the app serves it at
	// RapiDocPath + "/rapidoc-min.js", so /rapidoc needs no network and
	// its policy allows scripts from the app only. A directory without a
	// non-empty rapidoc-min.js makes New panic, naming it.
	RapiDocDir string
	// RapiDocScriptURL is where the RapiDoc page loads rapidoc-min.js
	// from when RapiDocDir is empty (setting both panics); default
	// DefaultRapiDocScriptURL, a pinned CDN file, in which case the first
	// visit of /rapidoc logs that the page needs network.
	RapiDocScriptURL string
	// RapiDocIntegrity is the Subresource Integrity hash of that script;
	// it defaults to DefaultRapiDocIntegrity for the default URL only
	// (RapiDocDir needs none: the script is the app's own).
	RapiDocIntegrity string

	// AsyncAPIDir is a directory holding the AsyncAPI viewer
	// (@asyncapi/react-component's standalone index.js and
	// default.min.css, which `make ui-assets` writes, pinned and
	// checksum-verified, into ui-assets/asyncapi). The app serves them
	// under AsyncAPIPath, so the viewer needs no network. Without it the
	// page loads them from DefaultAsyncAPIScriptURL's CDN. A directory
	// without both files makes New panic, naming it.
	AsyncAPIDir string
}

// Server is one entry of the document's servers list. A relative URL
// such as "/" is resolved against the document's own address, and gets
// the mount prefix when the app is mounted under one.
type Server struct {
	URL         string
	Description string
}

// Contact is the info.contact of the document.
type Contact struct {
	Name, URL, Email string
}

// License is the info.license of the document.
type License struct {
	Name string
	URL  string
}

// Tag describes a tag that operations list in their Tags option.
type Tag struct {
	Name        string
	Description string
}

// API is the OpenAPI description of a Server, kept in both OpenAPI 3.1
// and 3.0.3, and the typed operations registered through it. Create one
// per Server with New; register operations before serving.
type API struct {
	server *hyperlane.Server
	config Config
	names  *schemaNames
	r31    *openapi31.Reflector
	r30    *openapi3.Reflector

	mu         sync.Mutex
	ids        map[string]string // operation id -> "METHOD pattern"
	ops        map[string]string // "METHOD pattern" -> operation id
	documented []routeKey        // plain routes described by Document
	schemes    map[string]*SecurityScheme
	rendered   map[renderKey][]byte
	pages      map[string]*swaggerPage // Swagger UI per mount prefix

	root scope // where openapi.Get(api, ...) registers (group.go)

	rapiDocJS   *asset    // rapidoc-min.js read from Config.RapiDocDir, or nil
	rapiDocCDN  bool      // the page loads the default CDN script
	rapiDocOnce sync.Once // logs once that the CDN page needs network

	async     asyncState      // the AsyncAPI document (asyncapi.go)
	asyncUI   *asyncAPIAssets // the viewer's files from Config.AsyncAPIDir, or nil
	asyncOnce sync.Once       // logs once that the CDN viewer needs network
}

type routeKey struct{ method, pattern string }

type renderKey struct{ version, format, prefix string }

// New creates the API of s and serves its documents and doc pages from
// s: the OpenAPI 3.1 document at /openapi.json and /openapi.yaml, the
// 3.0.3 one at /openapi-3.0.json and /openapi-3.0.yaml, Swagger UI at
// /swagger and RapiDoc at /rapidoc (see Config to move or disable them).
// These routes are not part of the document. New also adds the
// "openapi" command to s, which prints the document without serving.
func New(s *hyperlane.Server, cfg Config) *API {
	cfg = withDefaults(cfg)
	js, err := loadRapiDoc(cfg)
	if err != nil {
		panic(err.Error())
	}
	ui, err := loadAsyncAPIViewer(cfg)
	if err != nil {
		panic(err.Error())
	}
	a := &API{
		server:   s,
		config:   cfg,
		names:    newSchemaNames(),
		ids:      map[string]string{},
		ops:      map[string]string{},
		schemes:  map[string]*SecurityScheme{},
		rendered: map[renderKey][]byte{},
		pages:    map[string]*swaggerPage{},

		async:   asyncState{ids: map[string]bool{}, schemas: map[string]map[string]any{}, rendered: map[renderKey][]byte{}},
		asyncUI: ui,

		rapiDocJS:  js,
		rapiDocCDN: cfg.RapiDocDir == "" && cfg.RapiDocScriptURL == DefaultRapiDocScriptURL,
	}
	a.names.reserve(reflect.TypeFor[hyperlane.HTTPError](), "Problem")
	a.names.reserve(reflect.TypeFor[hyperlane.ErrorDetail](), "ErrorDetail")
	a.initPrefix() // Config.Prefix (group.go)
	a.r31, a.r30 = newReflectors(a.names, cfg.ForbidUnknownFields)
	a.describe()
	for i := range cfg.SecuritySchemes {
		a.addScheme(&cfg.SecuritySchemes[i])
	}
	a.serve()
	s.AddCommand(a.command())
	s.AddCommand(a.asyncCommand())
	return a
}

func withDefaults(cfg Config) Config {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&cfg.Title, "API")
	def(&cfg.Version, "0.0.0")
	def(&cfg.JSONPath, DefaultJSONPath)
	def(&cfg.YAMLPath, DefaultYAMLPath)
	def(&cfg.JSON30Path, DefaultJSON30Path)
	def(&cfg.YAML30Path, DefaultYAML30Path)
	def(&cfg.SwaggerPath, DefaultSwaggerPath)
	def(&cfg.RapiDocPath, DefaultRapiDocPath)
	def(&cfg.AsyncAPIJSONPath, DefaultAsyncAPIJSONPath)
	def(&cfg.AsyncAPIYAMLPath, DefaultAsyncAPIYAMLPath)
	def(&cfg.AsyncAPIPath, DefaultAsyncAPIPath)
	if cfg.RapiDocScriptURL == "" && cfg.RapiDocDir == "" {
		cfg.RapiDocScriptURL = DefaultRapiDocScriptURL
		def(&cfg.RapiDocIntegrity, DefaultRapiDocIntegrity)
	}
	cfg.SecuritySchemes = append([]SecurityScheme(nil), cfg.SecuritySchemes...)
	return cfg
}

// describe writes the info, tags and servers of both documents.
func (a *API) describe() {
	c := a.config
	s31, s30 := a.r31.SpecEns(), a.r30.SpecEns()
	s31.Info.WithTitle(c.Title).WithVersion(c.Version)
	s30.Info.WithTitle(c.Title).WithVersion(c.Version)
	if c.Description != "" {
		s31.Info.WithDescription(c.Description)
		s30.Info.WithDescription(c.Description)
	}
	if c.Contact != nil {
		s31.Info.WithContact(openapi31.Contact{Name: nonEmpty(c.Contact.Name), URL: nonEmpty(c.Contact.URL), Email: nonEmpty(c.Contact.Email)})
		s30.Info.WithContact(openapi3.Contact{Name: nonEmpty(c.Contact.Name), URL: nonEmpty(c.Contact.URL), Email: nonEmpty(c.Contact.Email)})
	}
	if c.License != nil {
		s31.Info.WithLicense(openapi31.License{Name: c.License.Name, URL: nonEmpty(c.License.URL)})
		s30.Info.WithLicense(openapi3.License{Name: c.License.Name, URL: nonEmpty(c.License.URL)})
	}
	for _, t := range c.Tags {
		s31.Tags = append(s31.Tags, openapi31.Tag{Name: t.Name, Description: nonEmpty(t.Description)})
		s30.Tags = append(s30.Tags, openapi3.Tag{Name: t.Name, Description: nonEmpty(t.Description)})
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// serve registers the document and doc page routes. Each is marked as
// registered by New, so that a user route registered later on the same
// path panics naming the Config field that moves it; one registered
// before makes New panic the same way.
func (a *API) serve() {
	c := a.config
	get := func(field, path string, h hyperlane.Handler) {
		hint := fmt.Sprintf("openapi.New; move it with openapi.Config.%s, or turn it off with openapi.Disabled", field)
		defer func() {
			if r := recover(); r != nil {
				panic(fmt.Sprintf("openapi.New: Config.%s %q: %v (move it with openapi.Config.%s, or turn it off with openapi.Disabled)", field, path, r, field))
			}
		}()
		a.server.Get(path, h, hyperlane.Meta(hyperlane.MetaRegisteredBy, hint))
	}
	docs := []struct{ field, path, version, format string }{
		{"JSONPath", c.JSONPath, "3.1", "json"},
		{"YAMLPath", c.YAMLPath, "3.1", "yaml"},
		{"JSON30Path", c.JSON30Path, "3.0", "json"},
		{"YAML30Path", c.YAML30Path, "3.0", "yaml"},
	}
	for _, d := range docs {
		if d.path == Disabled {
			continue
		}
		version, format := d.version, d.format
		get(d.field, d.path, func(ctx *hyperlane.Context) error {
			b, err := a.render(version, format, ctx.MountPrefix())
			if err != nil {
				return err
			}
			ctx.SetHeader("Cache-Control", "no-cache")
			return ctx.Blob(http.StatusOK, contentTypes[format], b)
		})
	}
	if c.SwaggerPath != Disabled {
		get("SwaggerPath", c.SwaggerPath, a.swaggerUI)
		get("SwaggerPath", c.SwaggerPath+"/{file:.*}", a.swaggerUI)
	}
	if c.AsyncAPIJSONPath != Disabled {
		get("AsyncAPIJSONPath", c.AsyncAPIJSONPath, a.serveAsync("json"))
	}
	if c.AsyncAPIYAMLPath != Disabled {
		get("AsyncAPIYAMLPath", c.AsyncAPIYAMLPath, a.serveAsync("yaml"))
	}
	if c.AsyncAPIPath != Disabled {
		get("AsyncAPIPath", c.AsyncAPIPath, a.asyncViewer)
		if a.asyncUI != nil {
			get("AsyncAPIPath", strings.TrimSuffix(c.AsyncAPIPath, "/")+"/{file}", a.asyncViewerAsset)
		}
	}
	if c.RapiDocPath != Disabled {
		get("RapiDocPath", c.RapiDocPath, a.rapiDoc)
		if a.rapiDocJS != nil {
			get("RapiDocPath", strings.TrimSuffix(c.RapiDocPath, "/")+"/{file}", a.rapiDocAsset)
		}
	}
}

var contentTypes = map[string]string{
	"json": "application/json; charset=utf-8",
	"yaml": "application/yaml; charset=utf-8",
}

// Server returns the Server the API documents.
func (a *API) Server() *hyperlane.Server { return a.server }

// claimID records an operation id, failing when another operation has it
// or when the route itself is already an operation.
func (a *API) claimID(id, method, pattern string) error {
	// The same route twice is the mistake to name, whatever the ids.
	if prev, dup := a.ops[method+" "+pattern]; dup {
		return fmt.Errorf("duplicate route %s %s: it is already registered, as operation %q", method, pattern, prev)
	}
	if id == "" {
		return fmt.Errorf("empty operation id")
	}
	if prev, dup := a.ids[id]; dup {
		return fmt.Errorf("operation id %q is already used by %s; set a unique one with openapi.OperationID", id, prev)
	}
	a.ids[id] = method + " " + pattern
	a.ops[method+" "+pattern] = id
	return nil
}

// specPath turns a route pattern into an OpenAPI path: regular
// expressions are dropped ("{id:\\d+}" becomes "{id}"), and it returns
// the parameter names in order. Catch-all patterns cannot be described.
// The router's own parser reads the pattern, so a pattern in another
// router's syntax fails here with the router's message.
func specPath(pattern string) (string, []string, error) {
	p, err := hyperlane.ParsePattern(pattern)
	if err != nil {
		return "", nil, err
	}
	path, ok := p.OpenAPIPath()
	if !ok {
		return "", nil, fmt.Errorf("a catch-all route cannot be described in OpenAPI")
	}
	return path, p.Params(), nil
}
