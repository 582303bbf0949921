package openapi

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/hyperlane-go/hyperlane/e2e/openapi/petclient"
)

func ptr[T any](v T) *T { return &v }

// TestGeneratedClient drives the Pet API through the client oapi-codegen
// generated from the quickstart's OpenAPI 3.0 document.
func TestGeneratedClient(t *testing.T) {
	ctx := context.Background()
	withKey := petclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("X-API-Key", apiKey)
		return nil
	})
	client, err := petclient.NewClientWithResponses(base, withKey)
	if err != nil {
		t.Fatal(err)
	}

	fish := petclient.NewPetTagFish
	created, err := client.CreatePetWithResponse(ctx, petclient.NewPet{Name: "Nemo", Tag: &fish, Age: ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	if created.StatusCode() != http.StatusCreated || created.JSON201 == nil {
		t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
	}
	nemo := *created.JSON201
	if nemo.Name != "Nemo" || nemo.Age != 2 || nemo.Tag == nil || *nemo.Tag != petclient.PetTagFish || nemo.Id < 1 {
		t.Errorf("created %+v", nemo)
	}
	t.Cleanup(func() { client.DeletePetWithResponse(ctx, nemo.Id) })

	got, err := client.GetPetWithResponse(ctx, nemo.Id)
	if err != nil || got.JSON200 == nil {
		t.Fatalf("read back: %v %d %s", err, got.StatusCode(), got.Body)
	}
	if got.JSON200.Name != nemo.Name || got.JSON200.Id != nemo.Id {
		t.Errorf("read back %+v, created %+v", *got.JSON200, nemo)
	}

	list, err := client.ListPetsWithResponse(ctx, &petclient.ListPetsParams{Tag: ptr(petclient.ListPetsParamsTagFish), Limit: ptr(100)})
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v %d %s", err, list.StatusCode(), list.Body)
	}
	ids := []int64{}
	for _, p := range list.JSON200.Items {
		if p.Tag == nil || *p.Tag != petclient.PetTagFish {
			t.Errorf("the fish filter returned %+v", p)
		}
		ids = append(ids, p.Id)
	}
	if !slices.Contains(ids, nemo.Id) || list.JSON200.Total != len(ids) {
		t.Errorf("the fish list %v (total %d) lacks Nemo %d", ids, list.JSON200.Total, nemo.Id)
	}

	invalid, err := client.CreatePetWithResponse(ctx, petclient.NewPet{Name: "", Age: ptr(101)})
	if err != nil {
		t.Fatal(err)
	}
	if invalid.StatusCode() != http.StatusUnprocessableEntity || invalid.ApplicationproblemJSON422 == nil {
		t.Fatalf("invalid pet: %d %s", invalid.StatusCode(), invalid.Body)
	}
	var locations []string
	for _, e := range *invalid.ApplicationproblemJSON422.Errors {
		locations = append(locations, *e.Location)
	}
	if !slices.Equal(locations, []string{"body.age", "body.name"}) {
		t.Errorf("422 locations %v, want body.age and body.name", locations)
	}

	anonymous, err := petclient.NewClientWithResponses(base)
	if err != nil {
		t.Fatal(err)
	}
	denied, err := anonymous.CreatePetWithResponse(ctx, petclient.NewPet{Name: "Sneaky"})
	if err != nil {
		t.Fatal(err)
	}
	if denied.StatusCode() != http.StatusUnauthorized || denied.ApplicationproblemJSON401 == nil || denied.ApplicationproblemJSON401.Status != 401 {
		t.Errorf("a write without the key: %d %s", denied.StatusCode(), denied.Body)
	}
}
