package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// init lets a test run the quickstart's main as a real process: the
// test binary re-executed with QUICKSTART_TEST_MAIN=1 is the quickstart.
func init() {
	if os.Getenv("QUICKSTART_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
}

// runQuickstart runs the quickstart with args and extra environment,
// returning its stdout, stderr and exit code.
func runQuickstart(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{"QUICKSTART_TEST_MAIN=1"}, env...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestRateLimitEnvMalformedStopsTheStart(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"5", "five/1m", "5/minute", "0/1m", "5/1m/2"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := runQuickstart(t, []string{rateLimitEnv + "=" + v}, "serve", "--addr", "127.0.0.1:0")
			if code != 2 || !strings.Contains(stderr, "HYPERLANE_RATE_LIMIT") || !strings.Contains(stderr, "N/duration") ||
				strings.Contains(stderr, "goroutine") {
				t.Fatalf("exit %d, stderr %q; want 2 and a one-line message (no panic) naming HYPERLANE_RATE_LIMIT and N/duration", code, stderr)
			}
		})
	}
}

func TestRateLimitEnvDocumentsThe429(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"3.1", "3.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			out, stderr, code := runQuickstart(t, []string{rateLimitEnv + "=5/1m", rateLimitRedisEnv + "="},
				"openapi", "--format", "json", "--version", version)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc struct {
				Paths map[string]map[string]struct {
					Responses map[string]struct {
						Headers map[string]struct {
							Example any `json:"example"`
						} `json:"headers"`
					} `json:"responses"`
				} `json:"paths"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v: %.200s", err, out)
			}
			for _, op := range []struct{ path, method string }{{"/pets", "post"}, {"/pets/{id}", "put"}, {"/pets/{id}", "delete"}} {
				r, ok := doc.Paths[op.path][op.method].Responses["429"]
				if !ok || r.Headers["RateLimit-Policy"].Example != `"writes";q=5;w=60` || r.Headers["Retry-After"].Example == nil {
					t.Errorf("%s %s: 429 %+v, want one with Retry-After and RateLimit-Policy \"writes\";q=5;w=60", op.method, op.path, r)
				}
			}
			for _, op := range []struct{ path, method string }{{"/pets", "get"}, {"/pets/{id}", "get"}} {
				if _, ok := doc.Paths[op.path][op.method].Responses["429"]; ok {
					t.Errorf("%s %s is a read and documents a 429", op.method, op.path)
				}
			}
		})
	}
}

func TestPetWritesRateLimitedPerAPIKey(t *testing.T) {
	t.Setenv(rateLimitEnv, "2/1m")
	t.Setenv(rateLimitRedisEnv, "")
	ts := httptest.NewServer(newApp(slog.New(slog.DiscardHandler)))
	defer ts.Close()
	send := func(method, path, key, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("X-API-Key", key)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	steps := []struct {
		name, method, path, key string
		status                  int
		rateLimit               string
	}{
		{"a write spends the key's budget", "POST", "/pets", DefaultAPIKey, 201, `"writes";r=1;t=30`},
		{"any write spends the same budget", "DELETE", "/pets/1", DefaultAPIKey, 204, `"writes";r=0;t=60`},
		{"the third write in a minute is refused", "POST", "/pets", DefaultAPIKey, 429, `"writes";r=0;t=60`},
		{"reads are not limited", "GET", "/pets", DefaultAPIKey, 200, ""},
		{"another key has its own budget (and fails auth)", "POST", "/pets", "other", 401, `"writes";r=1;t=30`},
	}
	for _, st := range steps {
		resp := send(st.method, st.path, st.key, `{"name":"Kit","age":1}`)
		if resp.StatusCode != st.status || resp.Header.Get("RateLimit") != st.rateLimit {
			t.Fatalf("%s: %s %s: status %d RateLimit %q, want %d %q", st.name, st.method, st.path,
				resp.StatusCode, resp.Header.Get("RateLimit"), st.status, st.rateLimit)
		}
		if st.status == 429 && (resp.Header.Get("Retry-After") != "30" || resp.Header.Get("Content-Type") != "application/problem+json") {
			t.Fatalf("%s: Retry-After %q Content-Type %q", st.name, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
		}
	}
}
