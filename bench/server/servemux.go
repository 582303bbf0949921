package main

import (
	"encoding/json"
	"io"
	"net/http"
)

func init() { contenders["servemux"] = serveServeMux }

// serveServeMux is the standard library's router (Go 1.22 patterns).
func serveServeMux(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ctText
		io.WriteString(w, helloText)
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(message{Message: helloText})
		w.Header()["Content-Type"] = ctJSON
		w.Write(b)
	})
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ctText
		io.WriteString(w, r.PathValue("id"))
	})
	return listenAndServe(addr, mux)
}
