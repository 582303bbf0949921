package main

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"
)

func init() { contenders["chi"] = serveChi }

// serveChi is bare chi; its POST /pets/{id} is the typed scenario written
// by hand.
func serveChi(addr string) error {
	r := chi.NewRouter()
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ctText
		io.WriteString(w, helloText)
	})
	r.Get("/json", func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(message{Message: helloText})
		w.Header()["Content-Type"] = ctJSON
		w.Write(b)
	})
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ctText
		io.WriteString(w, chi.URLParam(r, "id"))
	})
	r.Post("/pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		out, code, err := handPet(chi.URLParam(r, "id"), r.URL.Query().Get("verbose"), body)
		writeHandPet(w, out, code, err)
	})
	return listenAndServe(addr, r)
}
