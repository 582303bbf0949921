package openapi

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/hyperlane-go/hyperlane/e2e/openapi/petogen"
)

// keySource gives ogen's client the API key, or none.
type keySource string

func (k keySource) ApiKey(context.Context, petogen.OperationName) (petogen.ApiKey, error) {
	return petogen.ApiKey{APIKey: string(k)}, nil
}

// TestOgenClient drives the Pet API and the event stream through the
// client ogen generated, without configuration, from the quickstart's
// OpenAPI 3.0 document (petogen).
func TestOgenClient(t *testing.T) {
	ctx := context.Background()
	client, err := petogen.NewClient(base, keySource(apiKey))
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.CreatePet(ctx, &petogen.NewPet{Name: "Dory", Tag: petogen.NewOptNewPetTag(petogen.NewPetTagFish), Age: petogen.NewOptInt(4)})
	if err != nil {
		t.Fatal(err)
	}
	dory, ok := res.(*petogen.Pet)
	if !ok || dory.Name != "Dory" || dory.Age != 4 || dory.Tag.Value != petogen.PetTagFish || dory.ID < 1 {
		t.Fatalf("create: %T %+v", res, res)
	}
	t.Cleanup(func() { client.DeletePet(ctx, petogen.DeletePetParams{ID: dory.ID}) })

	got, err := client.GetPet(ctx, petogen.GetPetParams{ID: dory.ID})
	if p, ok := got.(*petogen.Pet); err != nil || !ok || *p != *dory {
		t.Fatalf("read back: %v %T %+v, created %+v", err, got, got, dory)
	}
	missing, err := client.GetPet(ctx, petogen.GetPetParams{ID: 1 << 40})
	if nf, ok := missing.(*petogen.GetPetNotFound); err != nil || !ok || nf.Status != http.StatusNotFound {
		t.Fatalf("a missing pet: %v %T %+v", err, missing, missing)
	}

	list, err := client.ListPets(ctx, petogen.ListPetsParams{Tag: petogen.NewOptListPetsTag(petogen.ListPetsTagFish), Limit: petogen.NewOptInt(100)})
	page, ok := list.(*petogen.PetPage)
	if err != nil || !ok {
		t.Fatalf("list: %v %T", err, list)
	}
	var ids []int64
	for _, p := range page.Items {
		ids = append(ids, p.ID)
	}
	if !slices.Contains(ids, dory.ID) || page.Total != len(ids) {
		t.Errorf("the fish list %v (total %d) lacks Dory %d", ids, page.Total, dory.ID)
	}

	invalid, err := client.CreatePet(ctx, &petogen.NewPet{Name: "", Age: petogen.NewOptInt(101)})
	p, ok := invalid.(*petogen.CreatePetUnprocessableEntity)
	if err != nil || !ok {
		t.Fatalf("an invalid pet: %v %T %+v, want the 422 problem", err, invalid, invalid)
	}
	var locations []string
	for _, e := range p.Errors {
		locations = append(locations, e.Location.Value)
	}
	if p.Status != http.StatusUnprocessableEntity || !slices.Equal(locations, []string{"body.age", "body.name"}) {
		t.Errorf("422 %d locations %v, want body.age and body.name", p.Status, locations)
	}

	anonymous, err := petogen.NewClient(base, keySource(""))
	if err != nil {
		t.Fatal(err)
	}
	denied, err := anonymous.CreatePet(ctx, &petogen.NewPet{Name: "Sneaky"})
	if u, ok := denied.(*petogen.CreatePetUnauthorized); err != nil || !ok || u.Status != http.StatusUnauthorized {
		t.Fatalf("a write without the key: %v %T %+v", err, denied, denied)
	}

	stream, err := client.StreamEvents(ctx, petogen.StreamEventsParams{N: petogen.NewOptInt(3), Interval: petogen.NewOptString("10ms")})
	raw, ok := stream.(*petogen.StreamEventsOKRawTextEventStream)
	if err != nil || !ok {
		t.Fatalf("stream: %v %T", err, stream)
	}
	defer raw.Response.Body.Close()
	events, err := readEvents(raw.Response.Body)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range events {
		if _, err := decodeCountEvent(e); err != nil {
			t.Fatalf("event %+v: %v", e, err)
		}
		names = append(names, e.Event)
	}
	if !slices.Equal(names, []string{"message", "message", "message", "done"}) {
		t.Fatalf("event types %v, want three counts and done", names)
	}
	tooMany, err := client.StreamEvents(ctx, petogen.StreamEventsParams{N: petogen.NewOptInt(5000)})
	if p, ok := tooMany.(*petogen.StreamEventsUnprocessableEntity); err != nil || !ok || p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("n=5000: %v %T, want the 422 problem before any event", err, tooMany)
	}
}
