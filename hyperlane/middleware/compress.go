package middleware

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// DefaultCompressMinSize is the smallest body Compress compresses:
// below it, the gzip header and the CPU cost outweigh the saving.
const DefaultCompressMinSize = 1024

// DefaultCompressTypes returns the content types Compress compresses by
// default, a fresh slice to extend. An entry is a media type
// ("application/json"), a type with any subtype ("text/*"), or a
// structured-syntax suffix ("+json", which covers
// application/problem+json).
func DefaultCompressTypes() []string {
	return []string{
		"text/*",
		"application/json", "application/x-ndjson", "+json",
		"application/xml", "+xml", // +xml covers image/svg+xml
		"application/javascript", "application/x-javascript", "application/ecmascript",
		"application/wasm",
	}
}

// CompressConfig configures Compress. The zero value is ready to use.
type CompressConfig struct {
	// Level is the gzip level, from gzip.BestSpeed (1) to
	// gzip.BestCompression (9), or gzip.HuffmanOnly (-2).
	// Default (0): gzip.DefaultCompression.
	Level int
	// MinSize is the smallest body compressed, in bytes. Default: 1024.
	MinSize int
	// ContentTypes are the compressible types, in the syntax of
	// DefaultCompressTypes. Default: DefaultCompressTypes().
	ContentTypes []string
}

// Compress gzips buffered response bodies for clients that accept gzip.
// It is a response half that replaces the body, so it must be the last
// response middleware to change the body: with Install, list it after
// the other built-ins (its response half then runs before theirs, and
// AccessLog logs the compressed size) and before your own middleware
// that changes the body. A body is compressed when all of these hold: the
// response was not streamed (Context.Committed is false), the request is
// not HEAD, the status is 200 or above and neither 204, 206 nor 304, no
// Content-Encoding is set, the body is at least MinSize bytes, its
// Content-Type is compressible (a missing one is sniffed first, as
// net/http would), and Accept-Encoding accepts gzip with q > 0. Every
// response whose encoding depends on Accept-Encoding gets
// Vary: Accept-Encoding, compressed or not. The new Content-Length is
// set, and a strong ETag becomes weak, since the bytes changed. A body
// that gzip would not make smaller is sent as it is.
//
// Compress panics on an invalid level.
func Compress(cfg ...CompressConfig) Middleware {
	c := singleConfig("Compress", cfg)
	level := c.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	if _, err := gzip.NewWriterLevel(nil, level); err != nil {
		panic(fmt.Sprintf("middleware: Compress level %d: %v", c.Level, err))
	}
	minSize := c.MinSize
	if minSize <= 0 {
		minSize = DefaultCompressMinSize
	}
	types := c.ContentTypes
	if types == nil {
		types = DefaultCompressTypes()
	}
	z := &compressor{level: level, minSize: minSize, types: newTypeSet(types)}
	return Middleware{Response: z.handle}
}

type compressor struct {
	level   int
	minSize int
	types   typeSet
	writers sync.Pool // *gzip.Writer
	buffers sync.Pool // *bytes.Buffer
}

// valGzip is shared by every compressed response; it is never modified.
var valGzip = []string{"gzip"}

// maxPooledGzip caps the output buffers kept for reuse.
const maxPooledGzip = 64 << 10

func (z *compressor) handle(c *hyperlane.Context) error {
	if c.Committed() {
		return nil
	}
	r := c.Request()
	h := c.ResponseHeader()
	status := c.StatusCode()
	body := c.ResponseBody()
	if status < 200 || status == http.StatusNoContent || status == http.StatusPartialContent ||
		status == http.StatusNotModified || len(body) < z.minSize || h.Get("Content-Encoding") != "" {
		return nil
	}
	ct := h.Get("Content-Type")
	if _, set := h["Content-Type"]; !set {
		// net/http would sniff the body it sends; sniff the plain one.
		ct = http.DetectContentType(body)
		h["Content-Type"] = []string{ct}
	}
	if !z.types.match(ct) {
		return nil
	}
	addVary(h, "Accept-Encoding")
	if r.Method == http.MethodHead || !acceptsGzip(r.Header["Accept-Encoding"]) {
		return nil
	}
	buf := z.buffer()
	defer z.putBuffer(buf)
	if err := z.gzip(buf, body); err != nil {
		return fmt.Errorf("middleware: compressing response: %w", err)
	}
	if buf.Len() >= len(body) {
		return nil
	}
	c.SetBody(buf.Bytes())
	h["Content-Encoding"] = valGzip
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	if tag := h.Get("Etag"); tag != "" && !strings.HasPrefix(tag, "W/") {
		h["Etag"] = []string{"W/" + tag}
	}
	return nil
}

func (z *compressor) gzip(dst *bytes.Buffer, src []byte) error {
	gw, _ := z.writers.Get().(*gzip.Writer)
	if gw == nil {
		gw, _ = gzip.NewWriterLevel(dst, z.level) // level checked in Compress
	} else {
		gw.Reset(dst)
	}
	defer func() {
		gw.Reset(io.Discard) // do not pin dst while pooled
		z.writers.Put(gw)
	}()
	if _, err := gw.Write(src); err != nil {
		return err
	}
	return gw.Close()
}

func (z *compressor) buffer() *bytes.Buffer {
	if b, ok := z.buffers.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

func (z *compressor) putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledGzip {
		return
	}
	b.Reset()
	z.buffers.Put(b)
}

// acceptsGzip reports whether Accept-Encoding values accept gzip: named
// with q > 0, or covered by "*" with q > 0 when gzip is not named.
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			q := qValue(params)
			switch {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				gzipQ = max(gzipQ, q)
			case name == "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// qValue returns the q parameter of an Accept-Encoding item, 1 when it
// has none and 0 when it is malformed.
func qValue(params string) float64 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}

// typeSet matches media types against exact types, "type/*" and
// "+suffix" entries.
type typeSet struct {
	exact    map[string]bool
	prefixes []string // "text/"
	suffixes []string // "+json"
}

func newTypeSet(entries []string) typeSet {
	ts := typeSet{exact: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case strings.HasPrefix(e, "+") && len(e) > 1:
			ts.suffixes = append(ts.suffixes, e)
		case strings.HasSuffix(e, "/*") && len(e) > 2:
			ts.prefixes = append(ts.prefixes, e[:len(e)-1])
		case strings.Count(e, "/") == 1 && !strings.ContainsAny(e, "*; "):
			ts.exact[e] = true
		default:
			panic("middleware: Compress content type " + strconv.Quote(e) + ` must be "type/subtype", "type/*" or "+suffix"`)
		}
	}
	return ts
}

func (ts typeSet) match(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt)) // no copy when already lower case
	if ts.exact[mt] {
		return true
	}
	for _, p := range ts.prefixes {
		if strings.HasPrefix(mt, p) {
			return true
		}
	}
	for _, s := range ts.suffixes {
		if strings.HasSuffix(mt, s) {
			return true
		}
	}
	return false
}
