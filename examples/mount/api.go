package main

import (
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// Note is one note.
type Note struct {
	ID        int64     `json:"id" minimum:"1" example:"1"`
	Text      string    `json:"text" minLength:"1" maxLength:"280" example:"Mount Hyperlane at /api"`
	CreatedAt time.Time `json:"created_at"`
	// RequestID is the id the host app's middleware gave the request
	// that created the note: context values cross the mount.
	RequestID string `json:"request_id,omitempty"`
}

// NotePage is one page of notes.
type NotePage struct {
	Items []Note `json:"items" nullable:"false"`
	Total int    `json:"total" description:"How many notes there are."`
}

// ListNotes pages the notes.
type ListNotes struct {
	Limit  int `query:"limit" default:"20" minimum:"1" maximum:"100" description:"Page size."`
	Offset int `query:"offset" default:"0" minimum:"0" description:"Notes to skip."`
}

// NoteID names one note.
type NoteID struct {
	ID int64 `path:"id" minimum:"1" example:"1" description:"The note's id."`
}

// NewNote is the body of a create.
type NewNote struct {
	Text string `json:"text" minLength:"1" maxLength:"280" example:"Mount Hyperlane at /api"`
}

// notes keeps the notes in memory.
type notes struct {
	mu    sync.Mutex
	items []Note
	next  int64
}

// newAPI builds the Hyperlane app that the net/http app mounts at /api.
// Its routes know nothing of the prefix: /notes here is /api/notes
// outside, and the documents, Swagger UI and redirects follow the mount.
// Writes are guarded by the host app's own net/http middleware, auth.
func newAPI(logger *slog.Logger, auth func(http.Handler) http.Handler) *hyperlane.Server {
	s := hyperlane.New(hyperlane.WithLogger(logger))
	api := openapi.New(s, openapi.Config{
		Title:       "Notes",
		Version:     "1.0.0",
		Description: "A Hyperlane API mounted at /api inside an existing net/http app.",
		SecuritySchemes: []openapi.SecurityScheme{
			openapi.Bearer("token", "", "Writes need the bearer token (MOUNT_TOKEN; the demo default is mount-demo-token)."),
		},
	})
	store := &notes{next: 1}
	openapi.Get(api, "/notes", store.list, openapi.Summary("List notes"), openapi.Tags("notes"))
	openapi.Get(api, "/notes/{id}", store.get, openapi.Summary("Get a note"), openapi.Tags("notes"),
		openapi.Errors(http.StatusNotFound))
	openapi.Post(api, "/notes", store.create, openapi.Summary("Add a note"), openapi.Tags("notes"),
		openapi.Status(http.StatusCreated), openapi.Security("token"),
		openapi.RouteOptions(adapter.With(auth)))
	openapi.Delete(api, "/notes/{id}", store.delete, openapi.Summary("Delete a note"), openapi.Tags("notes"),
		openapi.Security("token"), openapi.Errors(http.StatusNotFound),
		openapi.RouteOptions(adapter.With(auth)))
	// An old address of the list: the redirect keeps the mount prefix.
	s.Get("/all", func(c *hyperlane.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/notes")
	})
	return s
}

func (n *notes) list(c *hyperlane.Context, in *ListNotes) (*NotePage, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	page := &NotePage{Items: []Note{}, Total: len(n.items)}
	if in.Offset < len(n.items) {
		page.Items = slices.Clone(n.items[in.Offset:min(in.Offset+in.Limit, len(n.items))])
	}
	return page, nil
}

func (n *notes) get(c *hyperlane.Context, in *NoteID) (*Note, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := n.find(in.ID)
	if i < 0 {
		return nil, hyperlane.Errorf(http.StatusNotFound, "no note %d", in.ID)
	}
	note := n.items[i]
	return &note, nil
}

func (n *notes) create(c *hyperlane.Context, in *NewNote) (*Note, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	note := Note{ID: n.next, Text: in.Text, CreatedAt: time.Now().UTC(), RequestID: requestIDFrom(c.Context())}
	n.next++
	n.items = append(n.items, note)
	return &note, nil
}

func (n *notes) delete(c *hyperlane.Context, in *NoteID) (*struct{}, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := n.find(in.ID)
	if i < 0 {
		return nil, hyperlane.Errorf(http.StatusNotFound, "no note %d", in.ID)
	}
	n.items = slices.Delete(n.items, i, i+1)
	return nil, nil
}

// find returns the index of the note id, or -1; n.mu is held.
func (n *notes) find(id int64) int {
	return slices.IndexFunc(n.items, func(note Note) bool { return note.ID == id })
}
