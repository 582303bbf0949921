package middleware

import (
	"math/rand/v2"
	"net/http"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// RequestIDAttr is the Context attribute under which RequestID stores the
// request's id. Read it with RequestIDFrom.
const RequestIDAttr = "hyperlane.middleware.request_id"

// DefaultRequestIDHeader is the header RequestID reads and writes.
const DefaultRequestIDHeader = "X-Request-Id"

// DefaultRequestIDMaxLength bounds an incoming request id; a longer one
// is replaced. It fits UUIDs, ULIDs and W3C traceparent values.
const DefaultRequestIDMaxLength = 128

// RequestIDConfig configures RequestID. The zero value is ready to use.
type RequestIDConfig struct {
	// Header is the request and response header carrying the id.
	// Default: "X-Request-Id".
	Header string
	// MaxLength bounds an incoming id. Default: 128.
	MaxLength int
	// IgnoreIncoming makes every request get a fresh id, for servers that
	// face clients which should not choose the id written to the logs.
	IgnoreIncoming bool
	// Generate makes a new id. Default: 128 random bits as 32 hex digits.
	Generate func() string
}

// RequestID gives every request an id: the incoming one when it is sane
// (at most MaxLength characters from [A-Za-z0-9._~:/+=@-]), otherwise a
// new one. The id is set as a response header, before the handler runs,
// so errors carry it too, and stored as an attribute that RequestIDFrom
// and AccessLog read. It has only a request half.
func RequestID(cfg ...RequestIDConfig) Middleware {
	c := singleConfig("RequestID", cfg)
	header := http.CanonicalHeaderKey(c.Header)
	if header == "" {
		header = DefaultRequestIDHeader
	}
	maxLen := c.MaxLength
	if maxLen <= 0 {
		maxLen = DefaultRequestIDMaxLength
	}
	gen := c.Generate
	if gen == nil {
		gen = NewRequestID
	}
	trust := !c.IgnoreIncoming
	return Middleware{Request: func(ctx *hyperlane.Context) error {
		var id string
		if trust {
			id = ctx.Request().Header.Get(header)
			if !saneRequestID(id, maxLen) {
				id = ""
			}
		}
		if id == "" {
			id = gen()
		}
		ctx.ResponseHeader()[header] = []string{id}
		ctx.Set(RequestIDAttr, id)
		return nil
	}}
}

// RequestIDFrom returns the id RequestID gave the request, or "".
func RequestIDFrom(c *hyperlane.Context) string {
	id, _ := hyperlane.Attr[string](c, RequestIDAttr)
	return id
}

// NewRequestID returns 128 random bits as 32 lower-case hex digits. It
// draws from the runtime's per-thread random source, so concurrent
// requests never wait on a shared lock or counter.
func NewRequestID() string {
	const hex = "0123456789abcdef"
	var b [32]byte
	for half := range 2 {
		v := rand.Uint64() // #nosec G404 -- a request ID correlates logs; it is not a secret or a token
		for i := range 16 {
			b[half*16+i] = hex[v&0xf]
			v >>= 4
		}
	}
	return string(b[:])
}

// saneRequestID reports whether an incoming id is short and made of
// characters that are safe in headers and log lines.
func saneRequestID(id string, maxLen int) bool {
	if id == "" || len(id) > maxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.', c == '~', c == ':', c == '/', c == '+', c == '=', c == '@':
		default:
			return false
		}
	}
	return true
}
