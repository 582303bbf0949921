package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// The typed scenario: POST /pets/{id}?verbose=true with the JSON body
// {"name":"Rex","tag":"dog","age":3}. The id is an integer >= 1, verbose a
// boolean; the name is required, 1 to 64 characters; the tag optional,
// one of dog, cat, bird, fish; the age optional, 0 to 100. Invalid input
// is a 4xx; the answer is the pet with its id and the flag, as JSON.

// petBody is the request body.
type petBody struct {
	Name string `json:"name"`
	Tag  string `json:"tag,omitempty"`
	Age  int    `json:"age,omitempty"`
}

// pet is the response body.
type pet struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Tag     string `json:"tag,omitempty"`
	Age     int    `json:"age"`
	Verbose bool   `json:"verbose"`
}

var petTags = []string{"dog", "cat", "bird", "fish"}

// handPet is the hand-written binding of the typed scenario shared by the
// net/http and chi contenders: it parses and checks the id, the query and
// the body as a careful handler does without a framework.
func handPet(idText, verboseText string, body []byte) (*pet, int, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 1 {
		return nil, 422, fmt.Errorf("id must be an integer >= 1")
	}
	verbose := false
	if verboseText != "" {
		if verbose, err = strconv.ParseBool(verboseText); err != nil {
			return nil, 422, fmt.Errorf("verbose must be a boolean")
		}
	}
	var in petBody
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, 400, fmt.Errorf("malformed JSON: %w", err)
	}
	switch {
	case len(in.Name) < 1 || len(in.Name) > 64:
		return nil, 422, fmt.Errorf("name must have 1 to 64 characters")
	case in.Tag != "" && !slices.Contains(petTags, in.Tag):
		return nil, 422, fmt.Errorf("tag must be one of %v", petTags)
	case in.Age < 0 || in.Age > 100:
		return nil, 422, fmt.Errorf("age must be within 0 and 100")
	}
	return &pet{ID: id, Name: in.Name, Tag: in.Tag, Age: in.Age, Verbose: verbose}, 200, nil
}
