package openapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// memPet is the quickstart's NewPet: a flat body with constraints.
type memPet struct {
	Name string `json:"name" minLength:"1" maxLength:"64"`
	Tag  string `json:"tag,omitempty" enum:"dog,cat,bird,fish"`
	Age  int    `json:"age,omitempty" minimum:"0" maximum:"100"`
}

// memList has a list: valid bodies cost what []int costs, and that is
// the handler's; a 422 must not cost more than a flat body's.
type memList struct {
	Name string `json:"name" maxLength:"64"`
	Nums []int  `json:"nums,omitempty" maxItems:"100000000"`
}

// memServer serves the typed POST /pets and POST /raw, a route that
// only reads the body: what the typed operation allocates beyond
// reading the body is the difference.
func memServer(t testing.TB) *hyperlane.Server {
	s, api := newAPI(t, openapi.Config{Title: "memory"})
	openapi.Post(api, "/pets", func(_ *hyperlane.Context, in *memPet) (*memPet, error) {
		return &memPet{Name: in.Name[:min(len(in.Name), 3)], Age: in.Age}, nil
	})
	openapi.Post(api, "/lists", func(_ *hyperlane.Context, in *memList) (*memPet, error) { return nil, nil })
	s.Post("/raw", func(c *hyperlane.Context) error {
		if _, err := c.Body(); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	return s
}

// allocated serves one request and returns the bytes it allocated and
// the response.
func allocated(h http.Handler, target, body string) (uint64, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h.ServeHTTP(w, req)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, w
}

// memBodies builds a body of about n bytes for each path through a
// typed operation's binding.
func memBodies(n int) []struct {
	name   string
	body   string
	status int
} {
	str := strings.Repeat("a", n)
	nums := strings.Repeat("1,", n/2)
	escaped := strings.Repeat(`"\u0041",`, n/9)
	var kb strings.Builder
	for i := 0; kb.Len() < n; i++ {
		fmt.Fprintf(&kb, `"\u006b%d":1,`, i)
	}
	keys := kb.String()
	return []struct {
		name   string
		body   string
		status int
	}{
		{"lists: one bad item after a long list of numbers (422)", `{"name":"Rex","nums":[` + nums + `"x"]}`, 422},
		{"lists: every item of a long list bad (422)", `{"name":"Rex","nums":[` + strings.Repeat(`"x",`, n/4) + `"x"]}`, 422},
		{"lists: an escaped name too long beside a long list (422)", `{"name":"\u0041` + str[:n/2] + `","nums":[` + nums[:n/2] + `1]}`, 422},
		{"the fast path: a valid flat body with a long unknown string", `{"name":"Rex","pad":"` + str + `"}`, 200},
		{"the fast path: a valid flat body with a long unknown array", `{"name":"Rex","pad":[` + nums + `1]}`, 200},
		{"an escape in a long name that fails maxLength (422)", `{"name":"\u0041` + str + `"}`, 422},
		{"a long name that fails maxLength, no escape (422)", `{"name":"` + str + `"}`, 422},
		{"a valid body with an escape and a long array of numbers", `{"name":"R\u0065x","pad":[` + nums + `1]}`, 200},
		{"a valid body with a long array of escaped strings", `{"name":"Rex","pad":[` + escaped + `"x"]}`, 200},
		{"a valid body with a long object of unknown keys", `{"name":"Rex","pad":{` + keys + `"k":1}}`, 200},
		{"an invalid tag beside a long array (422)", `{"name":"Rex","tag":"cow","pad":[` + escaped + `"x"]}`, 422},
		{"malformed JSON at the end of a long array (400)", `{"name":"Rex","pad":[` + escaped + `"x"`, 400},
		{"a long number for an int (400)", `{"name":"Rex","age":1` + strings.Repeat("0", n) + `}`, 400},
		{"a long number that fits a float, for an int (422)", `{"name":"Rex","age":0.` + strings.Repeat("0", n) + `1}`, 422},
	}
}

// TestTypedBodyMemory bounds what one typed request allocates beyond
// reading its body, on every path through the binding, to 3x the body:
// an allocation total bounds the peak. (encoding/json's tree of a body
// in any, which slow paths built, takes up to ~30x.)
func TestTypedBodyMemory(t *testing.T) {
	sizes := []int{1 << 20, 8<<20 - 1024}
	if testing.Short() {
		sizes = []int{256 << 10} // 1 and 8 MiB bodies in the full run (make e2e)
	}
	s := memServer(t)
	for _, size := range sizes {
		for _, tt := range memBodies(size) {
			t.Run(fmt.Sprintf("%s, %d MiB", tt.name, (size+1023)>>20), func(t *testing.T) {
				target := "/pets"
				if strings.HasPrefix(tt.name, "lists:") {
					target = "/lists"
				}
				allocated(s, target, tt.body) // warm the pools
				typed, w := allocated(s, target, tt.body)
				if w.Code != tt.status {
					t.Fatalf("status %d, want %d; body %.300s", w.Code, tt.status, w.Body)
				}
				if w.Body.Len() > 16<<10 { // at most maxDetails details
					t.Errorf("the answer is %d bytes: %.300s", w.Body.Len(), w.Body)
				}
				allocated(s, "/raw", tt.body)
				raw, _ := allocated(s, "/raw", tt.body)
				extra := int64(typed) - int64(raw)
				ratio := float64(extra) / float64(len(tt.body))
				t.Logf("%d-byte body: %d bytes to read it, %d more to bind it (%.2fx)", len(tt.body), raw, extra, ratio)
				if ratio > 3 {
					t.Errorf("binding allocated %.2fx the body (%d bytes for %d), want at most 3x", ratio, extra, len(tt.body))
				}
			})
		}
	}
}

// TestLongTokenShortAnswer sends tokens of 1 MB, as numbers, keys and
// strings, to a typed operation: each answer quotes at most a short
// prefix of the token.
func TestLongTokenShortAnswer(t *testing.T) {
	s := memServer(t)
	long := strings.Repeat("9", 1<<20)
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"a 1 MB integer that overflows int", `{"name":"Rex","age":` + long + `}`, 400},
		{"a 1 MB number with an exponent out of range", `{"name":"Rex","age":1e` + long + `}`, 400},
		{"a 1 MB fraction for an int", `{"name":"Rex","age":1.` + long + `}`, 422},
		{"a 1 MB integer in range of a float, beyond int", `{"name":"Rex","age":` + long[:300] + `}`, 422},
		{"a 1 MB name", `{"name":"` + long + `"}`, 422},
		{"a 1 MB escaped name", `{"name":"\u0041` + long + `"}`, 422},
		{"a 1 MB unknown key", `{"name":"Rex","` + long + `":1}`, 200},
		{"a 1 MB tag, not one of the enum", `{"name":"Rex","tag":"` + long + `"}`, 422},
		{"1 MB of garbage", `{"name":` + long + `x`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, w := allocated(s, "/pets", tt.body)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if w.Body.Len() > 1024 {
				t.Errorf("a %d-byte body got a %d-byte answer: %.300s…", len(tt.body), w.Body.Len(), w.Body)
			}
		})
	}
}

// TestDeepBodyStack sends 8 MiB of nested brackets under an unknown key
// of a typed body: the byte check stops at encoding/json's nesting limit
// (400) instead of recursing four million levels deep, which grew the
// goroutine's stack to 512 MB (1 GB of RSS for one request).
func TestDeepBodyStack(t *testing.T) {
	s := memServer(t)
	n := 4<<20 - 100
	body := `{"name":"Rex","pad":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, w := allocated(s, "/pets", body)
	runtime.ReadMemStats(&after)
	if w.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400; %.300s", w.Code, w.Body)
	}
	if grown := int64(after.StackSys) - int64(before.StackSys); grown > 64<<20 {
		t.Errorf("stacks grew by %d MB for one request", grown>>20)
	}
}
