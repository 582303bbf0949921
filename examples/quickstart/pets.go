package main

import (
	"cmp"
	"crypto/subtle"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// DefaultAPIKey is the key the Pet API's writes accept when
// HYPERLANE_API_KEY is not set. It is a demo value: set your own.
const DefaultAPIKey = "hyperlane-demo-key"

// Pet is an animal in the store.
type Pet struct {
	ID   int64  `json:"id" minimum:"1" example:"1"`
	Name string `json:"name" minLength:"1" maxLength:"64" example:"Rex"`
	Tag  string `json:"tag,omitempty" enum:"dog,cat,bird,fish" example:"dog"`
	Age  int    `json:"age" minimum:"0" maximum:"100" example:"3"`
}

// PetPage is one page of pets and the number of pets that match.
type PetPage struct {
	Items []Pet `json:"items" nullable:"false" description:"The pets of this page, in id order."`
	Total int   `json:"total" description:"How many pets match the filter."`
}

// ListPets filters and pages the pets.
type ListPets struct {
	Tag    string `query:"tag" enum:"dog,cat,bird,fish" description:"Only pets with this tag."`
	Limit  int    `query:"limit" default:"20" minimum:"1" maximum:"100" description:"Page size."`
	Offset int    `query:"offset" default:"0" minimum:"0" description:"Pets to skip."`
}

// PetID names one pet.
type PetID struct {
	ID int64 `path:"id" minimum:"1" example:"1" description:"The pet's id."`
}

// NewPet is the body of a create or update.
type NewPet struct {
	Name string `json:"name" minLength:"1" maxLength:"64" example:"Rex"`
	Tag  string `json:"tag,omitempty" enum:"dog,cat,bird,fish" example:"dog"`
	Age  int    `json:"age,omitempty" minimum:"0" maximum:"100" example:"3"`
}

// UpdatePet replaces the pet named in the path.
type UpdatePet struct {
	ID int64 `path:"id" minimum:"1" example:"1" description:"The pet's id."`
	NewPet
}

// countEvent is the data of the count events of GET /events
// (realtime.go), sent as "message", the default event type.
type countEvent struct {
	N  int `json:"n" minimum:"1" description:"The event's number, also its id."`
	Of int `json:"of" minimum:"1" description:"How many events the stream sends."`
}

// resumedEvent opens a stream that resumes after Last-Event-ID.
type resumedEvent struct {
	After     int `json:"after" minimum:"1" description:"The Last-Event-ID the client sent."`
	Remaining int `json:"remaining" minimum:"1" description:"How many count events follow."`
}

// doneEvent closes a stream that sent every count event.
type doneEvent struct {
	Sent int `json:"sent" minimum:"1" description:"How many count events this response sent."`
	Of   int `json:"of" minimum:"1" description:"How many events the stream has in all."`
}

// countStream declares the events of GET /events: one field per event
// type, tagged with its name.
type countStream struct {
	Count   *countEvent   `event:"message"`
	Resumed *resumedEvent `event:"resumed"`
	Done    *doneEvent    `event:"done"`
}

// countEventsQuery is the input of GET /events, validated before the
// stream opens.
type countEventsQuery struct {
	N           int    `query:"n" default:"10" minimum:"1" maximum:"1000" description:"How many events to send."`
	Interval    string `query:"interval" default:"1s" description:"Time between events, a Go duration from 10ms to 1m."`
	Drop        int    `query:"drop" minimum:"0" maximum:"1000" description:"End the stream after this event, as a network failure would."`
	LastEventID int    `header:"Last-Event-ID" minimum:"0" description:"Resume after this event id (browsers send it when they reconnect)."`
}

// petStore keeps the pets in memory.
type petStore struct {
	mu   sync.Mutex
	pets map[int64]Pet
	next int64
}

// registerPets adds the typed, documented Pet API: reads are open,
// writes need the X-API-Key header (HYPERLANE_API_KEY, default
// DefaultAPIKey). The documents are at /openapi.json and /openapi.yaml,
// Swagger UI at /swagger and RapiDoc at /rapidoc (its script is served
// by the app from rapiDocDir() when there is one: see there). The
// AsyncAPI document of the real-time routes is at /asyncapi.json and
// /asyncapi.yaml, its viewer at /asyncapi (served from asyncAPIDir()).
// It returns the API, on which realtime.go registers its typed socket.
func registerPets(s *hyperlane.Server) *openapi.API {
	key := cmp.Or(os.Getenv("HYPERLANE_API_KEY"), DefaultAPIKey)
	apiKey := openapi.APIKey("apiKey", "header", "X-API-Key",
		"Writes need the API key the server was started with (HYPERLANE_API_KEY; the demo default is "+DefaultAPIKey+").")
	apiKey.Check = func(c *hyperlane.Context) error {
		if subtle.ConstantTimeCompare([]byte(c.Header("X-API-Key")), []byte(key)) != 1 {
			return hyperlane.Error(http.StatusUnauthorized, "missing or wrong X-API-Key header")
		}
		return nil
	}
	api := openapi.New(s, openapi.Config{
		Title:       "Hyperlane quickstart",
		Version:     "1.0.0",
		Description: "The showcase API of Hyperlane for Go: a typed, validated Pet store.",
		License:     &openapi.License{Name: "MIT", URL: "https://opensource.org/licenses/MIT"},
		Servers:     []openapi.Server{{URL: "/", Description: "This server"}},
		Tags: []openapi.Tag{
			{Name: "pets", Description: "Everything about your pets."},
			{Name: "realtime", Description: "Streams served by realtime.go."},
		},

		SecuritySchemes:  []openapi.SecurityScheme{apiKey},
		RapiDocDir:       rapiDocDir(),
		RapiDocScriptURL: os.Getenv("HYPERLANE_RAPIDOC_URL"),
		AsyncAPIDir:      asyncAPIDir(),
	})
	store := &petStore{pets: map[int64]Pet{}, next: 1}
	store.add(NewPet{Name: "Rex", Tag: "dog", Age: 3})
	store.add(NewPet{Name: "Tom", Tag: "cat", Age: 5})

	openapi.Get(api, "/pets", store.list,
		openapi.Summary("List pets"), openapi.Tags("pets"),
		openapi.Description("Pets in id order, filtered by tag and paged with limit and offset."))
	openapi.Get(api, "/pets/{id}", store.get,
		openapi.Summary("Find a pet"), openapi.Tags("pets"), openapi.Errors(http.StatusNotFound))
	limit := petWriteLimit(s.Logger()) // HYPERLANE_RATE_LIMIT, see ratelimit.go
	openapi.Post(api, "/pets", store.create, slices.Concat([]openapi.Option{
		openapi.Summary("Add a pet"), openapi.Tags("pets"), openapi.Status(http.StatusCreated),
		openapi.Security("apiKey")}, limit)...)
	openapi.Put(api, "/pets/{id}", store.update, slices.Concat([]openapi.Option{
		openapi.Summary("Replace a pet"), openapi.Tags("pets"), openapi.Errors(http.StatusNotFound),
		openapi.Security("apiKey")}, limit)...)
	openapi.Delete(api, "/pets/{id}", store.remove, slices.Concat([]openapi.Option{
		openapi.Summary("Delete a pet"), openapi.Tags("pets"), openapi.Errors(http.StatusNotFound),
		openapi.Security("apiKey")}, limit)...)

	// A typed Server-Sent Events stream, served by realtime.go.
	openapi.SSE(api, "/events", countEvents,
		openapi.Summary("Count events (Server-Sent Events)"), openapi.Tags("realtime"),
		openapi.OperationID("streamEvents"),
		openapi.Description("Events 1..n, one per interval (the default message event), then done. "+
			"A client that reconnects with Last-Event-ID gets resumed, then the events after that id."),
		openapi.Response(http.StatusNoContent, nil, "The client already has every event; do not reconnect."),
		openapi.Errors(http.StatusBadRequest))
	return api
}

// DefaultRapiDocDir is where `make ui-assets` (which `make run` runs)
// puts the pinned RapiDoc, relative to the repository root that `make
// run` starts the quickstart in.
const DefaultRapiDocDir = "ui-assets/rapidoc"

// rapiDocDir is the directory /rapidoc serves its script from:
// HYPERLANE_RAPIDOC_DIR when set (a wrong one stops the app at start,
// naming it), else DefaultRapiDocDir when it holds the script, unless
// HYPERLANE_RAPIDOC_URL names a script to load instead. "" leaves the
// page on its CDN script, which needs network.
func rapiDocDir() string {
	if dir := os.Getenv("HYPERLANE_RAPIDOC_DIR"); dir != "" {
		return dir
	}
	if os.Getenv("HYPERLANE_RAPIDOC_URL") != "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(DefaultRapiDocDir, openapi.RapiDocScript)); err == nil {
		return DefaultRapiDocDir
	}
	return ""
}

// DefaultAsyncAPIDir is where `make ui-assets` puts the pinned AsyncAPI
// viewer (@asyncapi/react-component), relative to the repository root.
const DefaultAsyncAPIDir = "ui-assets/asyncapi"

// asyncAPIDir is the directory /asyncapi serves the viewer from:
// HYPERLANE_ASYNCAPI_DIR when set (a wrong one stops the app at start,
// naming it), else DefaultAsyncAPIDir when it holds the viewer. ""
// leaves the page on the CDN, which needs network.
func asyncAPIDir() string {
	if dir := os.Getenv("HYPERLANE_ASYNCAPI_DIR"); dir != "" {
		return dir
	}
	if _, err := os.Stat(filepath.Join(DefaultAsyncAPIDir, openapi.AsyncAPIScript)); err == nil {
		return DefaultAsyncAPIDir
	}
	return ""
}

func (st *petStore) add(in NewPet) Pet {
	p := Pet{ID: st.next, Name: in.Name, Tag: in.Tag, Age: in.Age}
	st.pets[p.ID] = p
	st.next++
	return p
}

func (st *petStore) list(_ *hyperlane.Context, in *ListPets) (*PetPage, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	page := &PetPage{Items: []Pet{}}
	ids := make([]int64, 0, len(st.pets))
	for id, p := range st.pets {
		if in.Tag == "" || p.Tag == in.Tag {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	page.Total = len(ids)
	// Clamp before adding: Offset may be any int up to MaxInt64 (the
	// schema sets no maximum; past the end is an empty page), and
	// Offset+Limit would wrap around.
	rest := ids[min(in.Offset, len(ids)):]
	for _, id := range rest[:min(in.Limit, len(rest))] {
		page.Items = append(page.Items, st.pets[id])
	}
	return page, nil
}

func (st *petStore) get(_ *hyperlane.Context, in *PetID) (*Pet, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p, ok := st.pets[in.ID]
	if !ok {
		return nil, notFound(in.ID)
	}
	return &p, nil
}

func (st *petStore) create(_ *hyperlane.Context, in *NewPet) (*Pet, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.add(*in)
	return &p, nil
}

func (st *petStore) update(_ *hyperlane.Context, in *UpdatePet) (*Pet, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.pets[in.ID]; !ok {
		return nil, notFound(in.ID)
	}
	p := Pet{ID: in.ID, Name: in.Name, Tag: in.Tag, Age: in.Age}
	st.pets[in.ID] = p
	return &p, nil
}

func (st *petStore) remove(_ *hyperlane.Context, in *PetID) (*struct{}, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.pets[in.ID]; !ok {
		return nil, notFound(in.ID)
	}
	delete(st.pets, in.ID)
	return nil, nil
}

func notFound(id int64) error {
	return hyperlane.Errorf(http.StatusNotFound, "no pet with id %d", id)
}
