package main

import (
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// hyperlanePet is the typed scenario's request as Hyperlane declares it:
// one struct for the path, the query and the JSON body, bound, validated
// and documented from its tags.
type hyperlanePet struct {
	ID      int64  `path:"id" minimum:"1"`
	Verbose bool   `query:"verbose"`
	Name    string `json:"name" minLength:"1" maxLength:"64"`
	Tag     string `json:"tag,omitempty" enum:"dog,cat,bird,fish"`
	Age     int    `json:"age,omitempty" minimum:"0" maximum:"100"`
}

func init() {
	hyperlaneRoutes = append(hyperlaneRoutes, func(s *hyperlane.Server) {
		api := openapi.New(s, openapi.Config{Title: "Bench", Version: "1.0.0"})
		openapi.Post(api, "/pets/{id}", func(c *hyperlane.Context, in *hyperlanePet) (*pet, error) {
			return &pet{ID: in.ID, Name: in.Name, Tag: in.Tag, Age: in.Age, Verbose: in.Verbose}, nil
		})
	})
}
