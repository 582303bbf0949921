package main

import "github.com/hyperlane-go/hyperlane/hyperlane"

func init() {
	hyperlaneRoutes = append(hyperlaneRoutes, func(s *hyperlane.Server) {
		s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
			ctx := ws.Context()
			for {
				typ, b, err := ws.Read(ctx)
				if err != nil {
					return err
				}
				if err := ws.Write(ctx, typ, b); err != nil {
					return err
				}
			}
		})
	})
}
