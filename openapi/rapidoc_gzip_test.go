package openapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi"
)

// TestRapiDocDirScriptIsSentCompressed: the script (about a megabyte)
// is written around any Compress middleware, so it is compressed by the
// API itself for a client that accepts gzip, over a real connection,
// and sent as it is to one that does not.
func TestRapiDocDirScriptIsSentCompressed(t *testing.T) {
	s, _ := newAPI(t, openapi.Config{RapiDocDir: rapiDocDir(t)})
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}} // the raw bytes
	tests := []struct {
		name, acceptEncoding string
		ifNoneMatch          string // appended to the identity ETag's version
		status               int
		gzipped              bool
	}{
		{name: "no Accept-Encoding: the script as it is", status: 200},
		{name: "gzip accepted: gzip bytes with their own ETag", acceptEncoding: "gzip, deflate, br", status: 200, gzipped: true},
		{name: "gzip covered by *: gzip", acceptEncoding: "br, *;q=0.5", status: 200, gzipped: true},
		{name: "gzip;q=0 refuses gzip even under *", acceptEncoding: "*, gzip;q=0", status: 200},
		{name: "a malformed q refuses gzip", acceptEncoding: "gzip;q=lots", status: 200},
		{name: "the gzip ETag revalidates the gzip copy", acceptEncoding: "gzip", ifNoneMatch: "-gzip", status: 304, gzipped: true},
	}
	version := ""
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/rapidoc/rapidoc-min.js", nil)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			if tt.ifNoneMatch != "" {
				req.Header.Set("If-None-Match", `"`+version+tt.ifNoneMatch+`"`)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("status %d, Vary %q; want %d, Vary Accept-Encoding", resp.StatusCode, resp.Header.Get("Vary"), tt.status)
			}
			tag := resp.Header.Get("ETag")
			if !tt.gzipped {
				version = tag[1 : len(tag)-1]
				if resp.Header.Get("Content-Encoding") != "" || string(raw) != fakeRapiDoc {
					t.Errorf("Content-Encoding %q, body %q; want the script as it is", resp.Header.Get("Content-Encoding"), raw)
				}
				return
			}
			if tag != `"`+version+`-gzip"` {
				t.Fatalf("ETag %s, want %q", tag, `"`+version+`-gzip"`)
			}
			if tt.status == 304 {
				return // net/http sends a 304 without Content-Encoding
			}
			if resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("the body is not gzip: %v", err)
			}
			if plain, err := io.ReadAll(zr); err != nil || string(plain) != fakeRapiDoc {
				t.Errorf("the gzip body decompresses to %q (%v), want the script", plain, err)
			}
		})
	}
}
