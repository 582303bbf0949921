package openapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// Greeting is the output of the example operation.
type Greeting struct {
	Message string `json:"message"`
}

// Greet is the input: a path parameter, a query parameter with a
// default, and a header.
type Greet struct {
	Name  string `path:"name" minLength:"2"`
	Times int    `query:"times" default:"1" minimum:"1" maximum:"3"`
	Lang  string `header:"Accept-Language"`
}

func greet(c *hyperlane.Context, in *Greet) (*Greeting, error) {
	return &Greeting{Message: strings.Repeat("Hello, "+in.Name+"! ", in.Times)}, nil
}

// A typed operation: the input is bound and validated from the request,
// the output written as JSON, and both documented.
func Example() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "Greeter", Version: "1.0.0"})
	openapi.Get(api, "/greet/{name}", greet, openapi.Summary("Greet someone"))

	for _, target := range []string{"/greet/Ada?times=2", "/greet/A?times=9"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Print(w.Code, " ", w.Body.String())
	}
	// Output:
	// 200 {"message":"Hello, Ada! Hello, Ada! "}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"2 fields failed validation","instance":"/greet/A","errors":[{"location":"path.name","message":"must be at least 2 characters long","value":"A"},{"location":"query.times","message":"must be at most 3","value":9}]}
}

// Document describes routes served the plain way, here a stream of
// Server-Sent Events.
func ExampleDocument() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "Events", Version: "1.0.0"})
	s.Get("/events", func(c *hyperlane.Context) error { return nil /* stream events */ })
	openapi.Document(api, "GET", "/events", openapi.Summary("Live events"), openapi.EventStream(Greeting{}))

	b, _ := api.Spec("3.1", "json")
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Responses   map[string]struct {
				Content map[string]struct {
					Schema map[string]string `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	json.Unmarshal(b, &doc)
	op := doc.Paths["/events"]["get"]
	fmt.Println(op.OperationID, op.Responses["200"].Content["text/event-stream"].Schema["$ref"])
	// Output:
	// listEvents #/components/schemas/Greeting
}

// RapiDoc served by the app itself, with no network: Config.RapiDocDir
// names a directory holding rapidoc-min.js, which `go run
// github.com/hyperlane-go/hyperlane/scripts/uiassets` (make ui-assets
// in this repository) fills with the pinned, checksum-verified RapiDoc
// 9.3.8. Here a stand-in file plays that part.
func ExampleConfig_rapiDocDir() {
	dir, _ := os.MkdirTemp("", "rapidoc")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, openapi.RapiDocScript), []byte("/* rapidoc-min.js */"), 0o644)

	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	openapi.New(s, openapi.Config{Title: "Pets", RapiDocDir: dir})

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/rapidoc", nil))
	src := regexp.MustCompile(`<script type="module" src="([^"]+)"`).FindStringSubmatch(w.Body.String())[1]
	csp := w.Header().Get("Content-Security-Policy")
	fmt.Println(src)
	fmt.Println(strings.Split(csp, ";")[1])

	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/"+src, nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
	// Output:
	// rapidoc/rapidoc-min.js?v=DlOlQpdYsW8gWmpS
	//  script-src 'self'
	// 200 text/javascript; charset=utf-8 public, max-age=31536000, immutable
}

// A rate-limited operation: the limiter runs before the input is bound,
// and the document shows the 429 and its headers.
func ExampleRateLimited() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "Greeter", Version: "1.0.0"})
	perClient := middleware.NewRateLimiter(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 1, Period: time.Minute}, // per client IP
	})
	openapi.Get(api, "/greet/{name}", greet, openapi.RateLimited(perClient))

	for range 2 {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/greet/Ada", nil))
		fmt.Println(strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Header().Get("RateLimit"), " ", w.Header().Get("Retry-After"))))
	}
	doc, _ := api.Spec("3.1", "json")
	var spec struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Headers map[string]any `json:"headers"`
			} `json:"responses"`
		} `json:"paths"`
	}
	_ = json.Unmarshal(doc, &spec)
	headers := spec.Paths["/greet/{name}"]["get"].Responses["429"].Headers
	fmt.Println(len(headers), headers["Retry-After"] != nil, headers["RateLimit-Policy"] != nil, headers["RateLimit"] != nil)
	// Output:
	// 200 "default";r=0;t=60
	// 429 "default";r=0;t=60 60
	// 3 true true true
}
