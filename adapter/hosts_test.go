package adapter_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/adapter/mounttest"
)

// TestMountHosts mounts the same reference app into each host router and
// checks, through a real socket, that it behaves there as it does alone.
func TestMountHosts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string
		host   func(app http.Handler) http.Handler
	}{
		{
			name:   "ServeMux subtree pattern",
			prefix: "/api",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("host")) })
				mux.Handle("/api/", adapter.Mount("/api", app))
				return mux
			},
		},
		{
			name:   "ServeMux wildcard pattern",
			prefix: "/v2",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/v2/{rest...}", adapter.Mount("/v2", app))
				return mux
			},
		},
		{
			name:   "ServeMux pattern with a parameter in the prefix",
			prefix: "/t/acme/api",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/t/{tenant}/api/", adapter.Mount("/t/{tenant}/api", app))
				return mux
			},
		},
		{
			name:   "chi Mount",
			prefix: "/api",
			host: func(app http.Handler) http.Handler {
				r := chi.NewRouter()
				r.Get("/", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("host")) })
				r.Mount("/api", adapter.Mount("/api", app))
				return r
			},
		},
		{
			name:   "chi Route with a parameter",
			prefix: "/tenants/acme/api",
			host: func(app http.Handler) http.Handler {
				r := chi.NewRouter()
				r.Route("/tenants/{tenant}", func(r chi.Router) {
					r.Mount("/api", adapter.Mount("/tenants/{tenant}/api", app))
				})
				return r
			},
		},
		{
			name:   "bare http.Server",
			prefix: "/api",
			host:   func(app http.Handler) http.Handler { return adapter.Mount("/api", app) },
		},
		{
			name:   "bare http.Server at the root",
			prefix: "",
			host:   func(app http.Handler) http.Handler { return adapter.Mount("/", app) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := mounttest.Serve(t, tc.host(mounttest.App()))
			mounttest.Check(t, base+tc.prefix)
		})
	}
}
