package openapi

import (
	"net/http"
	"strings"
)

// defaultOperationID derives a readable operation id from method and
// path: the verb says what happens (list, get, create, update, patch,
// delete), the nouns come from the static segments, singular where a
// parameter follows or the path ends on an item:
//
//	GET    /pets                -> listPets
//	GET    /pets/{id}           -> getPet
//	POST   /pets                -> createPet
//	PUT    /pets/{id}           -> updatePet
//	DELETE /pets/{id}           -> deletePet
//	GET    /users/{id}/pets     -> listUserPets
//	POST   /pets/{id}/vaccinate -> postPetVaccinate
//
// Version segments such as "v1" are left out. The result is stable; a
// collision with another operation's id is a registration error.
func defaultOperationID(method, pattern string) string {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	var nouns []string
	item := false
	for i, seg := range segs {
		if seg == "" || isVersionSegment(seg) {
			continue
		}
		if strings.HasPrefix(seg, "{") {
			item = true
			if n := len(nouns); n > 0 && i > 0 && !strings.HasPrefix(segs[i-1], "{") {
				nouns[n-1] = singular(nouns[n-1])
			}
			continue
		}
		item = false
		nouns = append(nouns, identifier(seg))
	}
	noun := strings.Join(nouns, "")
	if noun == "" {
		noun = "Root"
	}
	collection := !item && len(nouns) > 0
	var verb string
	switch method {
	case http.MethodGet:
		verb = "get"
		if collection {
			verb = "list"
		}
	case http.MethodPost:
		verb = "post"
		if collection && singular(nouns[len(nouns)-1]) != nouns[len(nouns)-1] {
			// POST on a collection creates an item of it.
			verb = "create"
			noun = joinSingular(nouns)
		}
	case http.MethodPut:
		verb = "update"
	default:
		verb = strings.ToLower(method)
	}
	return verb + noun
}

// joinSingular joins nouns with the last one made singular.
func joinSingular(nouns []string) string {
	if len(nouns) == 0 {
		return "Root"
	}
	last := len(nouns) - 1
	return strings.Join(nouns[:last], "") + singular(nouns[last])
}

func isVersionSegment(s string) bool {
	if len(s) < 2 || s[0] != 'v' && s[0] != 'V' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// singular is a small English singularizer for resource names: it is
// right for the common plurals (pets, categories, boxes, addresses) and
// leaves anything it does not recognise alone.
func singular(w string) string {
	lw := strings.ToLower(w)
	switch {
	case strings.HasSuffix(lw, "ies") && len(w) > 3:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(lw, "sses"), strings.HasSuffix(lw, "xes"),
		strings.HasSuffix(lw, "ches"), strings.HasSuffix(lw, "shes"), strings.HasSuffix(lw, "zzes"):
		return w[:len(w)-2]
	case strings.HasSuffix(lw, "ss"), strings.HasSuffix(lw, "us"), strings.HasSuffix(lw, "is"):
		return w
	case strings.HasSuffix(lw, "s") && len(w) > 1:
		return w[:len(w)-1]
	}
	return w
}
