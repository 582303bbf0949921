package openapitest_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// Pet is the output of the example's operation.
type Pet struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// PetID is its input.
type PetID struct {
	ID int64 `path:"id" minimum:"1"`
}

func getPet(c *hyperlane.Context, in *PetID) (*Pet, error) {
	if in.ID != 1 {
		return nil, hyperlane.Errorf(404, "no pet with id %d", in.ID)
	}
	return &Pet{ID: 1, Name: "Rex"}, nil
}

// The client checks each answer against the document the app serves.
// The operation below answers 404 for an unknown pet but does not say so
// (openapi.Errors(404) is missing), so the second call fails the test.
func Example() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "Pets", Version: "1.0.0"})
	openapi.Get(api, "/pets/{id}", getPet)

	t := printingT{} // in a test, the *testing.T
	c := openapitest.New(t, s)
	var pet Pet
	c.Get("/pets/1").JSON(&pet)
	fmt.Println("pet:", pet.Name)
	c.Get("/pets/2")
	c.Get("/pets/0") // a 422 is documented: every typed operation validates
	// Output:
	// pet: Rex
	// FAIL: openapitest: GET /pets/2 answered 404, which breaks GET /pets/{id} (getPet) in /openapi.json:
	// 	status 404 is not documented (documented: 200, 400, 422, 500)
	// 	body: {"type":"about:blank","title":"Not Found","status":404,"detail":"no pet with id 2","instance":"/pets/2"}
}

// printingT prints the failures a *testing.T would report, so that the
// example shows one.
type printingT struct{ testing.TB }

func (printingT) Helper() {}

func (printingT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }

func (printingT) Fatalf(format string, args ...any) { fmt.Printf("FATAL: "+format+"\n", args...) }
