package main

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
)

func init() { contenders["huma"] = serveHuma }

// humaPetInput is the typed scenario's request as huma declares it.
type humaPetInput struct {
	ID      int64 `path:"id" minimum:"1"`
	Verbose bool  `query:"verbose"`
	Body    struct {
		Name string `json:"name" minLength:"1" maxLength:"64"`
		Tag  string `json:"tag,omitempty" required:"false" enum:"dog,cat,bird,fish"`
		Age  int    `json:"age,omitempty" required:"false" minimum:"0" maximum:"100"`
	}
}

type humaPetOutput struct{ Body pet }

// serveHuma is huma v2 on chi with huma.DefaultConfig, as its
// documentation starts every app.
func serveHuma(addr string) error {
	r := chi.NewRouter()
	api := humachi.New(r, huma.DefaultConfig("Bench", "1.0.0"))
	huma.Register(api, huma.Operation{
		OperationID: "put-pet",
		Method:      http.MethodPost,
		Path:        "/pets/{id}",
	}, func(ctx context.Context, in *humaPetInput) (*humaPetOutput, error) {
		return &humaPetOutput{Body: pet{ID: in.ID, Name: in.Body.Name, Tag: in.Body.Tag, Age: in.Body.Age, Verbose: in.Verbose}}, nil
	})
	return listenAndServe(addr, r)
}
