package openapi

import "testing"

func TestDefaultOperationID(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/pets", "listPets"},
		{"GET", "/pets/{id}", "getPet"},
		{"POST", "/pets", "createPet"},
		{"PUT", "/pets/{id}", "updatePet"},
		{"PATCH", "/pets/{id}", "patchPet"},
		{"DELETE", "/pets/{id}", "deletePet"},
		{"DELETE", "/pets", "deletePets"},
		{"GET", "/users/{id}/pets", "listUserPets"},
		{"POST", "/users/{id}/pets", "createUserPet"},
		{"GET", "/users/{uid}/pets/{pid}", "getUserPet"},
		{"POST", "/pets/{id}/vaccinate", "postPetVaccinate"},
		{"POST", "/search", "postSearch"},
		{"GET", "/v1/categories/{id}", "getCategory"},
		{"GET", "/boxes", "listBoxes"},
		{"POST", "/addresses", "createAddress"},
		{"GET", "/status", "listStatus"},
		{"GET", "/user-groups/{id}", "getUserGroup"},
		{"GET", "/", "getRoot"},
		{"HEAD", "/pets/{id}", "headPet"},
	}
	for _, tt := range tests {
		if got := defaultOperationID(tt.method, tt.path); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestTypeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Pet", "Pet"},
		{"Page[github.com/acme/store.Pet]", "PagePet"},
		{"Page[*github.com/acme/store.Pet]", "PagePet"},
		{"Page[[]github.com/acme/store.Pet]", "PagePetList"},
		{"Pair[string,int64]", "PairStringInt64"},
		{"Map[map[string][]main.Pet]", "MapMapStringPetList"},
		{"Page[github.com/acme/store.Box[github.com/acme/store.Pet]]", "PageBoxPet"},
		{"Fixed[[4]uint8]", "FixedUint8List"},
		{"snake_case", "SnakeCase"},
	}
	for _, tt := range tests {
		if got := typeName(tt.in); got != tt.want {
			t.Errorf("typeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
