package adapter_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// petsApp is a small documented API: GET /pets/{id} and GET /old, a
// redirect to /pets/1.
func petsApp() *hyperlane.Server {
	type petID struct {
		ID int64 `path:"id" minimum:"1"`
	}
	type pet struct {
		Name string `json:"name"`
	}
	s := hyperlane.New()
	api := openapi.New(s, openapi.Config{Title: "Pets", Version: "1.0.0"})
	openapi.Get(api, "/pets/{id}", func(c *hyperlane.Context, in *petID) (*pet, error) {
		if in.ID != 1 {
			return nil, hyperlane.Errorf(http.StatusNotFound, "no pet %d", in.ID)
		}
		return &pet{Name: "Rex"}, nil
	}, openapi.Errors(http.StatusNotFound))
	s.Get("/old", func(c *hyperlane.Context) error { return c.Redirect(http.StatusFound, "/pets/1") })
	return s
}

// show prints what a client of h sees under the prefix: a route, a
// redirect, a problem's instance and the document's server.
func show(h http.Handler, prefix string) {
	do := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, prefix+path, nil))
		return w
	}
	fmt.Print(do("/pets/1").Body.String())
	fmt.Println("Location:", do("/old").Header().Get("Location"))
	var problem struct{ Instance string }
	_ = json.Unmarshal(do("/pets/2").Body.Bytes(), &problem)
	fmt.Println("instance:", problem.Instance)
	var doc struct{ Servers []struct{ URL string } }
	_ = json.Unmarshal(do("/openapi.json").Body.Bytes(), &doc)
	fmt.Println("servers:", doc.Servers)
}

// The app under http.StripPrefix in a ServeMux, with no call of this
// project's: the app finds its prefix in what StripPrefix removed.
func Example_stripPrefix() {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", petsApp()))
	show(mux, "/api/v1")
	// Output:
	// {"name":"Rex"}
	// Location: /api/v1/pets/1
	// instance: /api/v1/pets/2
	// servers: [{/api/v1}]
}

// The app mounted with chi's Mount (or inside r.Route): chi does not strip
// the path, and the app reads its prefix from chi's route context.
func Example_chiMount() {
	r := chi.NewRouter()
	r.Route("/tenants/{tenant}", func(r chi.Router) {
		r.Mount("/api", petsApp())
	})
	show(r, "/tenants/acme/api")
	// Output:
	// {"name":"Rex"}
	// Location: /tenants/acme/api/pets/1
	// instance: /tenants/acme/api/pets/2
	// servers: [{/tenants/acme/api}]
}
