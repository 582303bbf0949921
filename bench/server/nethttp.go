package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/coder/websocket"
)

func init() { contenders["nethttp"] = serveNetHTTP }

var (
	ctText = []string{"text/plain; charset=utf-8"}
	ctJSON = []string{"application/json"}
)

// serveNetHTTP is raw net/http: one HandlerFunc that switches on the path,
// the baseline every paired ratio is taken against. Its /ws is bare
// coder/websocket.
func serveNetHTTP(addr string) error {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/" && r.Method == http.MethodGet:
			w.Header()["Content-Type"] = ctText
			io.WriteString(w, helloText)
		case p == "/json" && r.Method == http.MethodGet:
			b, _ := json.Marshal(message{Message: helloText})
			w.Header()["Content-Type"] = ctJSON
			w.Write(b)
		case strings.HasPrefix(p, "/users/") && r.Method == http.MethodGet:
			w.Header()["Content-Type"] = ctText
			io.WriteString(w, p[len("/users/"):])
		case strings.HasPrefix(p, "/pets/") && r.Method == http.MethodPost:
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
				return
			}
			out, code, err := handPet(p[len("/pets/"):], r.URL.Query().Get("verbose"), body)
			writeHandPet(w, out, code, err)
		case p == "/ws":
			wsEcho(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	return listenAndServe(addr, h)
}

// writeHandPet writes the hand-written typed answer.
func writeHandPet(w http.ResponseWriter, out *pet, code int, err error) {
	if err != nil {
		http.Error(w, err.Error(), code)
		return
	}
	b, _ := json.Marshal(out)
	w.Header()["Content-Type"] = ctJSON
	w.WriteHeader(code)
	w.Write(b)
}

// wsEcho echoes every message of a WebSocket connection with bare
// coder/websocket.
func wsEcho(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := r.Context()
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, b); err != nil {
			return
		}
	}
}
