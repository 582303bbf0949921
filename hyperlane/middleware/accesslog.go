package middleware

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// accessStartAttr holds the time AccessLog's request half ran.
const accessStartAttr = "hyperlane.middleware.access_start"

// AccessLog logs one line per request at Info level, after the response
// is final: method, path, status, bytes, duration and, when RequestID
// runs too, request_id. A nil logger means the server's logger.
//
// Its request half notes the start time and its response half logs, so
// install it early (outermost): its duration then covers the other
// middleware, and its bytes are what is sent, after compression. bytes is
// the buffered body's length (0 for HEAD, 204 and 304); a response that
// was streamed (Send, Flush, Writer, files) is logged with streamed=true
// instead, since its length is not known to Hyperlane.
func AccessLog(logger *slog.Logger) Middleware {
	return Middleware{
		Request: func(c *hyperlane.Context) error {
			c.Set(accessStartAttr, time.Now())
			return nil
		},
		Response: func(c *hyperlane.Context) error {
			l := logger
			if l == nil {
				l = c.Logger()
			}
			ctx := c.Context()
			if !l.Enabled(ctx, slog.LevelInfo) {
				return nil
			}
			r := c.Request()
			status := c.StatusCode()
			attrs := make([]slog.Attr, 0, 6)
			attrs = append(attrs,
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
			)
			if c.Committed() {
				attrs = append(attrs, slog.Bool("streamed", true))
			} else {
				attrs = append(attrs, slog.Int("bytes", sentBytes(c, r, status)))
			}
			if start, ok := hyperlane.Attr[time.Time](c, accessStartAttr); ok {
				attrs = append(attrs, slog.Duration("duration", time.Since(start)))
			}
			if id := RequestIDFrom(c); id != "" {
				attrs = append(attrs, slog.String("request_id", id))
			}
			l.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
			return nil
		},
	}
}

// sentBytes is the length of the buffered body as it goes on the wire.
func sentBytes(c *hyperlane.Context, r *http.Request, status int) int {
	if r.Method == http.MethodHead || status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		return 0
	}
	return len(c.ResponseBody())
}
