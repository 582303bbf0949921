package openapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type sseTick struct {
	N int `json:"n" minimum:"1"`
}

type sseNote struct {
	Text string `json:"text"`
}

type sseDone struct {
	Total int `json:"total"`
}

// sseEvents declares three events, each with its own data type.
type sseEvents struct {
	Tick *sseTick `event:"tick"`
	Note *sseNote `event:"note"`
	Done *sseDone `event:"done"`
}

type sseInput struct {
	N    int    `query:"n" default:"2" minimum:"1" maximum:"5"`
	Fail string `query:"fail" enum:"before,nocontent,nothing"`
}

// countStream sends n ticks, a note naming the Last-Event-ID it was
// given, and a done, with ids; fail=before answers 409 instead, and
// fail=nocontent 204, both before any event; fail=nothing returns nil
// having sent nothing.
func countStream(c *hyperlane.Context, in *sseInput, send *openapi.Sender[sseEvents]) error {
	switch in.Fail {
	case "before":
		return hyperlane.Error(http.StatusConflict, "not now")
	case "nocontent":
		return c.NoContent(http.StatusNoContent)
	case "nothing":
		return nil
	}
	for i := 1; i <= in.N; i++ {
		if err := send.Send(sseEvents{Tick: &sseTick{N: i}}, openapi.EventID(strconv.Itoa(i))); err != nil {
			return err
		}
	}
	if err := send.Send(sseEvents{Note: &sseNote{Text: "last=" + send.LastEventID()}}); err != nil {
		return err
	}
	return send.Send(sseEvents{Done: &sseDone{Total: in.N}}, openapi.EventRetry(1500*time.Millisecond))
}

func newStreamServer(t *testing.T, opts ...openapi.Option) (*httptest.Server, *openapi.API) {
	t.Helper()
	s, api := newAPI(t, openapi.Config{SecuritySchemes: []openapi.SecurityScheme{keyScheme()}})
	openapi.SSE(api, "/events", countStream, opts...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, api
}

// keyScheme accepts the X-Key header "k".
func keyScheme() openapi.SecurityScheme {
	sc := openapi.APIKey("key", "header", "X-Key", "")
	sc.Check = func(c *hyperlane.Context) error {
		if c.Header("X-Key") != "k" {
			return hyperlane.Error(http.StatusUnauthorized, "bad key")
		}
		return nil
	}
	return sc
}

func streamGet(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestSSESendsTypedEventsOverASocket(t *testing.T) {
	srv, _ := newStreamServer(t)
	resp, body := streamGet(t, srv.URL+"/events?n=2", map[string]string{"Last-Event-ID": "7"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q; body %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	want := "id: 1\nevent: tick\ndata: {\"n\":1}\n\n" +
		"id: 2\nevent: tick\ndata: {\"n\":2}\n\n" +
		"event: note\ndata: {\"text\":\"last=7\"}\n\n" +
		"event: done\ndata: {\"total\":2}\nretry: 1500\n\n"
	if got := strings.ReplaceAll(body, "\r", ""); !sameEvents(got, want) {
		t.Fatalf("stream:\n%s\nwant:\n%s", got, want)
	}
}

// sameEvents compares two streams event by event, each event's lines in
// any order (the field order within an event does not matter to clients).
func sameEvents(got, want string) bool {
	split := func(s string) [][]string {
		var out [][]string
		for _, ev := range strings.Split(strings.TrimSpace(s), "\n\n") {
			lines := strings.Split(ev, "\n")
			slices.Sort(lines)
			out = append(out, lines)
		}
		return out
	}
	return slices.EqualFunc(split(got), split(want), slices.Equal)
}

func TestSSEAnswersBeforeTheStreamOpens(t *testing.T) {
	srv, _ := newStreamServer(t, openapi.Security("key"))
	tests := []struct {
		name, target string
		header       map[string]string
		status       int
		detail       string // in the problem body; "" for no body
	}{
		{"invalid query is a 422 naming the parameter", "/events?n=9", map[string]string{"X-Key": "k"}, 422, "query.n"},
		{"unknown enum value is a 422", "/events?fail=x", map[string]string{"X-Key": "k"}, 422, "query.fail"},
		{"missing credentials are a 401", "/events", nil, 401, "bad key"},
		{"a handler error before the first event is its problem", "/events?fail=before", map[string]string{"X-Key": "k"}, 409, "not now"},
		{"the handler may answer 204 instead of streaming", "/events?fail=nocontent", map[string]string{"X-Key": "k"}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := streamGet(t, srv.URL+tt.target, tt.header)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if tt.detail == "" {
				if body != "" {
					t.Fatalf("body %q, want none", body)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(body, tt.detail) {
				t.Fatalf("Content-Type %q, body %s; want a problem naming %q", ct, body, tt.detail)
			}
		})
	}
}

// TestSSEHandlerThatSentNothingAnswersAnEmptyStream: returning nil
// before any event is the stream the document promises, with no event in
// it, not an empty 200 without a Content-Type.
func TestSSEHandlerThatSentNothingAnswersAnEmptyStream(t *testing.T) {
	srv, _ := newStreamServer(t)
	resp, body := streamGet(t, srv.URL+"/events?fail=nothing", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || strings.Contains(body, "data:") {
		t.Fatalf("status %d, Content-Type %q, body %q; want 200 text/event-stream with no event",
			resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestSSESendRequiresExactlyOneEvent(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	errs := make(chan error, 2)
	openapi.SSE(api, "/e", func(c *hyperlane.Context, _ *struct{}, send *openapi.Sender[sseEvents]) error {
		errs <- send.Send(sseEvents{})
		errs <- send.Send(sseEvents{Tick: &sseTick{N: 1}, Done: &sseDone{}})
		return nil
	})
	w := do(t, s, request{target: "/e"})
	for _, want := range []string{"not 0 []", "not 2 [Tick Done]"} {
		if err := <-errs; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Send error %v, want one saying %q", err, want)
		}
	}
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("status %d body %q: a refused Send must send nothing", w.Code, w.Body)
	}
}

func TestSSEDocument(t *testing.T) {
	_, api := newStreamServer(t)
	for _, version := range []string{"3.1", "3.0"} {
		t.Run(version, func(t *testing.T) {
			doc := spec(t, api, version)
			op := doc["paths"].(map[string]any)["/events"].(map[string]any)["get"].(map[string]any)
			ok := op["responses"].(map[string]any)["200"].(map[string]any)
			media := ok["content"].(map[string]any)["text/event-stream"].(map[string]any)
			var refs []string
			for _, s := range media["schema"].(map[string]any)["oneOf"].([]any) {
				refs = append(refs, s.(map[string]any)["$ref"].(string))
			}
			if want := []string{"#/components/schemas/SseTick", "#/components/schemas/SseNote", "#/components/schemas/SseDone"}; !slices.Equal(refs, want) {
				t.Errorf("event data schemas %v, want %v", refs, want)
			}
			if d := ok["description"].(string); !strings.Contains(d, "- `tick`: SseTick\n- `note`: SseNote\n- `done`: SseDone") {
				t.Errorf("description %q does not name each event's schema", d)
			}
			if _, has400 := op["responses"].(map[string]any)["400"]; has400 {
				t.Errorf("a bodiless GET stream documents 400 by default")
			}
			_, raw := media["x-ogen-raw-response"]
			if raw != (version == "3.0") {
				t.Errorf("x-ogen-raw-response present = %v; want it in 3.0 only", raw)
			}
			var lastID int
			for _, p := range op["parameters"].([]any) {
				if p := p.(map[string]any); p["in"] == "header" && p["name"] == "Last-Event-ID" {
					lastID++
				}
			}
			if lastID != 1 {
				t.Errorf("%d Last-Event-ID header parameters, want 1", lastID)
			}
		})
	}
}

type ownLastID struct {
	Last int `header:"Last-Event-ID" minimum:"0" description:"Resume after this tick."`
}

type oneEvent struct {
	Tick *sseTick `event:"tick"`
}

func TestSSEInputMayDeclareLastEventID(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.SSE(api, "/e", func(c *hyperlane.Context, in *ownLastID, send *openapi.Sender[oneEvent]) error {
		return send.Send(oneEvent{Tick: &sseTick{N: in.Last + 1}})
	})
	doc := spec(t, api, "3.1")
	op := doc["paths"].(map[string]any)["/e"].(map[string]any)["get"].(map[string]any)
	params, _ := json.Marshal(op["parameters"])
	if got := strings.Count(string(params), "Last-Event-ID"); got != 1 || !strings.Contains(string(params), "Resume after this tick.") {
		t.Fatalf("parameters %s: want the input's own Last-Event-ID, once", params)
	}
	media, _ := json.Marshal(op["responses"].(map[string]any)["200"].(map[string]any)["content"])
	if !strings.Contains(string(media), `"$ref":"#/components/schemas/SseTick"`) || strings.Contains(string(media), "oneOf") {
		t.Fatalf("one event type documents its schema directly, got %s", media)
	}
	if w := do(t, s, request{target: "/e", header: map[string]string{"Last-Event-ID": "-1"}}); w.Code != 422 {
		t.Fatalf("Last-Event-ID -1: status %d, want 422; body %s", w.Code, w.Body)
	}
	if w := do(t, s, request{target: "/e", header: map[string]string{"Last-Event-ID": "4"}}); !strings.Contains(w.Body.String(), `data: {"n":5}`) {
		t.Fatalf("Last-Event-ID 4: body %q, want tick 5", w.Body)
	}
}

type (
	evNotPointer struct {
		Tick sseTick `event:"tick"`
	}
	evNoTag struct {
		Tick *sseTick
	}
	evDuplicate struct {
		A *sseTick `event:"x"`
		B *sseNote `event:"x"`
	}
	evNone struct {
		Tick *sseTick `event:"-"`
	}
	evLineBreak struct {
		Tick *sseTick `event:"a\nb"`
	}
	withBody struct {
		Body sseTick `json:"body"`
	}
)

func TestSSERegistrationMistakesPanicNamingTheField(t *testing.T) {
	h := func(c *hyperlane.Context, _ *struct{}, _ *openapi.Sender[evNotPointer]) error { return nil }
	tests := []struct {
		name     string
		register func(api *openapi.API)
		want     string
	}{
		{"a value field cannot tell set from unset", func(api *openapi.API) { openapi.SSE(api, "/e", h) }, "field Tick is a openapi_test.sseTick, not a pointer"},
		{"every event field needs its name", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *struct{}, *openapi.Sender[evNoTag]) error { return nil })
		}, `field Tick has no event name: tag it event:"name"`},
		{"event names are unique", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *struct{}, *openapi.Sender[evDuplicate]) error { return nil })
		}, `fields A and B have the same event name "x"`},
		{"an event type declares an event", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *struct{}, *openapi.Sender[evNone]) error { return nil })
		}, "declares no event"},
		{"an event name stays on its line", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *struct{}, *openapi.Sender[evLineBreak]) error { return nil })
		}, "has a line break"},
		{"the events are a struct", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *struct{}, *openapi.Sender[string]) error { return nil })
		}, "the event type string is not a struct"},
		{"a GET stream has no body", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *withBody, *openapi.Sender[oneEvent]) error { return nil })
		}, "SSE GET /e:"},
		{"a nil handler", func(api *openapi.API) { openapi.SSE[struct{}, oneEvent](api, "/e", nil) }, "nil handler"},
		{"Status is not for streams", func(api *openapi.API) {
			openapi.SSE(api, "/e", func(*hyperlane.Context, *struct{}, *openapi.Sender[oneEvent]) error { return nil }, openapi.Status(201))
		}, "not for SSE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, api := newAPI(t, openapi.Config{})
			if msg := panics(t, func() { tt.register(api) }); !strings.Contains(msg, tt.want) {
				t.Fatalf("panic %q, want it to say %q", msg, tt.want)
			}
		})
	}
}

func TestSSESendAfterClientLeftReportsIt(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	result := make(chan error, 1)
	started := make(chan struct{})
	openapi.SSE(api, "/e", func(c *hyperlane.Context, _ *struct{}, send *openapi.Sender[oneEvent]) error {
		send.Open()
		close(started)
		<-send.Done()
		result <- send.Send(oneEvent{Tick: &sseTick{N: 1}})
		return nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/e")
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Open: status %d, want 200 before any event", resp.StatusCode)
	}
	resp.Body.Close()
	if err := <-result; !errors.Is(err, hyperlane.ErrClientGone) {
		t.Fatalf("Send after the client left: %v, want ErrClientGone", err)
	}
}

func TestSSESendIsSafeFromSeveralGoroutines(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	const senders, each = 4, 25
	openapi.SSE(api, "/e", func(c *hyperlane.Context, _ *struct{}, send *openapi.Sender[oneEvent]) error {
		var wg sync.WaitGroup
		for g := range senders {
			wg.Go(func() {
				for i := range each {
					if err := send.Send(oneEvent{Tick: &sseTick{N: g*each + i + 1}}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		return nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	_, body := streamGet(t, srv.URL+"/e", nil)
	if got := strings.Count(body, "event: tick\ndata: {\"n\":"); got != senders*each {
		t.Fatalf("%d whole events, want %d:\n%s", got, senders*each, body)
	}
}
