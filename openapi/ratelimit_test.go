package openapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// limitedAPI has POST /pets/{id} (secured, rate limited 2/1m by API key)
// and GET /pets/{id} (neither).
func limitedAPI(t *testing.T) (*hyperlane.Server, *openapi.API, *int) {
	key := openapi.APIKey("key", "header", "X-API-Key", "an API key")
	key.Check = func(c *hyperlane.Context) error {
		if c.Header("X-API-Key") != "secret" {
			return hyperlane.Error(http.StatusUnauthorized, "bad key")
		}
		return nil
	}
	s, api := newAPI(t, openapi.Config{SecuritySchemes: []openapi.SecurityScheme{key}})
	limiter := middleware.NewRateLimiter(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 2, Period: time.Minute}, Key: middleware.KeyByHeader("X-API-Key"),
	})
	calls := new(int)
	h := func(c *hyperlane.Context, in *petInput) (*pet, error) { *calls++; return &pet{ID: in.ID}, nil }
	openapi.Post(api, "/pets/{id}", h, openapi.Security("key"), openapi.Status(http.StatusCreated), openapi.RateLimited(limiter))
	openapi.Get(api, "/pets/{id}", h)
	return s, api, calls
}

func TestRateLimitedOperation(t *testing.T) {
	s, _, calls := limitedAPI(t)
	steps := []struct {
		name, method, key string
		status            int
		rateLimit         string
	}{
		{"the first write is allowed and told what is left", "POST", "secret", 201, `"default";r=1;t=30`},
		{"a write with a wrong key spends its own key's budget, then fails auth", "POST", "wrong", 401, `"default";r=1;t=30`},
		{"the second write spends the budget", "POST", "secret", 201, `"default";r=0;t=60`},
		{"the third write is refused before auth and binding", "POST", "secret", 429, `"default";r=0;t=60`},
		{"an operation without RateLimited is not limited", "GET", "secret", 200, ""},
	}
	for _, st := range steps {
		before := *calls
		w := do(t, s, request{method: st.method, target: "/pets/7", header: map[string]string{"X-API-Key": st.key}})
		if w.Code != st.status || w.Header().Get("RateLimit") != st.rateLimit {
			t.Fatalf("%s: status %d RateLimit %q, want %d %q; body %s", st.name, w.Code, w.Header().Get("RateLimit"), st.status, st.rateLimit, w.Body)
		}
		if st.status == 429 {
			if p := problem(t, w); p.Status != 429 || w.Header().Get("Retry-After") != "30" {
				t.Fatalf("%s: problem %+v Retry-After %q", st.name, p, w.Header().Get("Retry-After"))
			}
			if *calls != before {
				t.Fatalf("%s: the handler ran", st.name)
			}
		}
	}
}

func TestRateLimitedDocumentsThe429(t *testing.T) {
	_, api, _ := limitedAPI(t)
	for _, version := range []string{"3.1", "3.0"} {
		t.Run(version, func(t *testing.T) {
			doc := spec(t, api, version)
			responses := at(t, doc, "paths", "/pets/{id}", "post", "responses").(map[string]any)
			got := keys(responses)
			slices.Sort(got)
			if want := []string{"201", "400", "401", "422", "429", "500"}; !slices.Equal(got, want) {
				t.Fatalf("responses %v, want %v", got, want)
			}
			if ref := jsonOf(at(t, responses, "429", "content", "application/problem+json", "schema")); ref != `{"$ref":"#/components/schemas/Problem"}` {
				t.Errorf("429 schema %s, want the Problem schema", ref)
			}
			if d := at(t, responses, "429", "description").(string); !strings.Contains(d, `"default";q=2;w=60`) {
				t.Errorf("429 description %q does not state the policy", d)
			}
			for code, want := range map[string]map[string]string{
				"429": {
					"Retry-After":      `{"description":"Seconds until the request would be allowed.","example":12,"required":true,"schema":{"type":"integer"},"style":"simple"}`,
					"RateLimit-Policy": `"default";q=2;w=60`,
					"RateLimit":        `"default";r=0;t=60`,
				},
				"201": {"RateLimit-Policy": `"default";q=2;w=60`, "RateLimit": `"default";r=1;t=30`},
			} {
				headers := at(t, responses, code, "headers").(map[string]any)
				hk := keys(headers)
				slices.Sort(hk)
				wantKeys := keys(map[string]any{"RateLimit": 0, "RateLimit-Policy": 0})
				if code == "429" {
					wantKeys = append(wantKeys, "Retry-After")
				}
				slices.Sort(wantKeys)
				if !slices.Equal(hk, wantKeys) {
					t.Errorf("%s headers %v, want %v", code, hk, wantKeys)
				}
				for name, w := range want {
					h := at(t, headers, name).(map[string]any)
					if strings.HasPrefix(w, "{") {
						if got := jsonOf(h); got != w {
							t.Errorf("%s %s = %s, want %s", code, name, got, w)
						}
						continue
					}
					if h["example"] != w || jsonOf(h["schema"]) != `{"type":"string"}` || h["required"] != true {
						t.Errorf("%s %s = %s, want a required string with example %s", code, name, jsonOf(h), w)
					}
				}
			}
			get := at(t, doc, "paths", "/pets/{id}", "get", "responses").(map[string]any)
			if _, ok := get["429"]; ok {
				t.Error("an operation without RateLimited documents a 429")
			}
			if _, ok := at(t, get, "200").(map[string]any)["headers"]; ok {
				t.Error("an operation without RateLimited documents rate-limit headers")
			}
		})
	}
}

func TestRateLimitedMistakes(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	limiter := middleware.NewRateLimiter(middleware.RateLimitConfig{Rate: middleware.Rate{Limit: 1, Period: time.Second}})
	for _, tc := range []struct {
		name string
		fn   func()
		want string
	}{
		{"Document takes no RateLimited: it cannot install it", func() {
			openapi.Document(api, "GET", "/ws", openapi.RateLimited(limiter))
		}, "RateLimited installs its limiter on typed operations only"},
		{"a nil limiter", func() { openapi.RateLimited(nil) }, "RateLimited(nil)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Fatalf("panic %v, want one saying %q", r, tc.want)
				}
			}()
			tc.fn()
		})
	}
}

// TestRateLimitedGroupAndStream: RateLimited on a group limits and
// documents each of its operations, typed SSE streams included; they
// share the limiter's one budget per client.
func TestRateLimitedGroupAndStream(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	limiter := middleware.NewRateLimiter(middleware.RateLimitConfig{Rate: middleware.Rate{Limit: 2, Period: time.Minute}})
	g := openapi.NewGroup(api, "/jobs", openapi.RateLimited(limiter))
	openapi.Get(g, "/{id}", func(c *hyperlane.Context, in *petInput) (*pet, error) { return &pet{ID: in.ID}, nil })
	openapi.SSE(g, "/run", func(c *hyperlane.Context, in *JobInput, send *openapi.Sender[JobEvents]) error {
		return send.Send(JobEvents{Finished: &Finished{OK: true}})
	})
	for _, target := range []string{"/jobs/7", "/jobs/run"} {
		if w := do(t, s, request{target: target}); w.Code != http.StatusOK {
			t.Fatalf("first GET %s: %d %s", target, w.Code, w.Body)
		}
	}
	if w := do(t, s, request{target: "/jobs/run"}); w.Code != http.StatusTooManyRequests {
		t.Errorf("second GET /jobs/run: %d, want 429", w.Code)
	}
	b, err := api.Spec("3.1", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/jobs/{id}", "/jobs/run"} {
		if _, ok := doc.Paths[path]["get"].Responses["429"]; !ok {
			t.Errorf("GET %s documents no 429", path)
		}
	}
}
