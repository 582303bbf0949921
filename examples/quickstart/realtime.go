package main

import "github.com/hyperlane-go/hyperlane/hyperlane"

// registerRealtime adds the WebSocket and SSE routes.
func registerRealtime(s *hyperlane.Server) {}
