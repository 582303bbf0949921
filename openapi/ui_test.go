package openapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi"
)

func TestSwaggerUI(t *testing.T) {
	s, _ := newAPI(t, openapi.Config{Title: "Pets <&>"})
	w := do(t, s, request{target: "/swagger"})
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	page, csp := w.Body.String(), w.Header().Get("Content-Security-Policy")
	if !strings.Contains(page, "<title>Pets &lt;&amp;&gt; - Swagger UI</title>") {
		t.Error("the title is not escaped into the page")
	}
	// Every inline script must be allowed by hash, and nothing else inline.
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(scripts) == 0 {
		t.Fatal("no inline script found")
	}
	for _, s := range scripts {
		sum := sha256.Sum256([]byte(s[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("CSP %q does not allow inline script %s", csp, h)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "connect-src 'self'", "frame-ancestors 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(strings.Split(csp, "style-src")[0], "unsafe-inline") {
		t.Errorf("scripts must not be allowed inline or eval: %q", csp)
	}
	for _, asset := range []string{"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} {
		if !strings.Contains(page, `/swagger/`+asset) {
			t.Errorf("the page does not load %s", asset)
		}
		w := do(t, s, request{target: "/swagger/" + asset})
		if w.Code != 200 || w.Body.Len() < 1000 {
			t.Errorf("embedded asset %s: status %d, %d bytes", asset, w.Code, w.Body.Len())
		}
	}
	if w := do(t, s, request{target: "/swagger/"}); w.Code != 200 || !strings.Contains(w.Body.String(), "swagger-ui-bundle.js") {
		t.Errorf("/swagger/ serves the page too: status %d", w.Code)
	}
	if w := do(t, s, request{target: "/swagger/nope.js"}); w.Code != 404 {
		t.Errorf("an unknown asset: status %d", w.Code)
	}
}

func TestRapiDoc(t *testing.T) {
	tests := []struct {
		name     string
		cfg      openapi.Config
		contains []string
		csp      string
	}{
		{"the default script is the pinned CDN file with its integrity hash", openapi.Config{},
			[]string{`src="` + openapi.DefaultRapiDocScriptURL + `"`, `integrity="` + openapi.DefaultRapiDocIntegrity + `" crossorigin="anonymous"`,
				`<rapi-doc spec-url="/openapi.json"`},
			"script-src 'self' https://cdn.jsdelivr.net;"},
		{"a self-hosted script is loaded from 'self' without a hash", openapi.Config{RapiDocScriptURL: "/files/rapidoc-min.js"},
			[]string{`src="/files/rapidoc-min.js"></script>`}, "script-src 'self';"},
		{"another origin is allowed in the policy", openapi.Config{RapiDocScriptURL: "http://127.0.0.1:9999/rapidoc-min.js", RapiDocIntegrity: "sha384-x"},
			[]string{`integrity="sha384-x"`}, "script-src 'self' http://127.0.0.1:9999;"},
		{"absolute servers may be called from the page", openapi.Config{Servers: []openapi.Server{{URL: "https://api.example.com/v1"}}},
			nil, "connect-src 'self' https://api.example.com;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newAPI(t, tt.cfg)
			w := do(t, s, request{target: "/rapidoc"})
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			for _, want := range tt.contains {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("page lacks %s:\n%s", want, w.Body)
				}
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, tt.csp) {
				t.Errorf("CSP %q lacks %q", csp, tt.csp)
			}
			if strings.Contains(w.Body.String(), "<script>") {
				t.Error("the RapiDoc page must have no inline script")
			}
		})
	}
}
