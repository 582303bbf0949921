package hyperlane_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// sseEvent is an event as a client following the HTML standard sees it.
type sseEvent struct {
	ID, Event, Data string
}

// parseSSE interprets a text/event-stream body the way the HTML standard
// tells browsers to, returning the dispatched events and the retry value.
func parseSSE(body string) (events []sseEvent, retry string) {
	var data strings.Builder
	var typ, lastID string
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	for line := range strings.SplitSeq(body, "\n") {
		if line == "" {
			if data.Len() > 0 {
				d := strings.TrimSuffix(data.String(), "\n")
				if typ == "" {
					typ = "message"
				}
				events = append(events, sseEvent{ID: lastID, Event: typ, Data: d})
			}
			data.Reset()
			typ = ""
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "data":
			data.WriteString(value + "\n")
		case "event":
			typ = value
		case "id":
			if !strings.Contains(value, "\x00") {
				lastID = value
			}
		case "retry":
			retry = value
		}
	}
	return events, retry
}

func TestSSEEncoding(t *testing.T) {
	var ev hyperlane.Event
	var sendErr error
	s, _ := rtServer()
	s.Get("/", func(c *hyperlane.Context) error {
		sendErr = c.SSE(hyperlane.SSEHeartbeat(0)).Send(ev)
		return nil
	})
	for _, tc := range []struct {
		name  string
		event hyperlane.Event
		wire  string
		seen  []sseEvent // what a client dispatches
	}{
		{"string data is one data line", hyperlane.Event{Data: "hello"},
			"data: hello\n\n", []sseEvent{{"", "message", "hello"}}},
		{"all fields in order", hyperlane.Event{ID: "7", Event: "tick", Data: "x", Retry: 1500 * time.Millisecond},
			"id: 7\nevent: tick\nretry: 1500\ndata: x\n\n", []sseEvent{{"7", "tick", "x"}}},
		{"LF splits data lines", hyperlane.Event{Data: "a\nb\nc"},
			"data: a\ndata: b\ndata: c\n\n", []sseEvent{{"", "message", "a\nb\nc"}}},
		{"CRLF splits data lines", hyperlane.Event{Data: "a\r\nb"},
			"data: a\ndata: b\n\n", []sseEvent{{"", "message", "a\nb"}}},
		{"lone CR splits data lines", hyperlane.Event{Data: "a\rb"},
			"data: a\ndata: b\n\n", []sseEvent{{"", "message", "a\nb"}}},
		{"blank lines inside data cannot end the event", hyperlane.Event{Data: "a\n\nb\r\n\r\n"},
			"data: a\ndata: \ndata: b\ndata: \ndata: \n\n", []sseEvent{{"", "message", "a\n\nb\n\n"}}},
		{"data cannot inject a field or an event", hyperlane.Event{ID: "1", Data: "x\n\nevent: admin\nid: 999\ndata: evil"},
			"id: 1\ndata: x\ndata: \ndata: event: admin\ndata: id: 999\ndata: data: evil\n\n",
			[]sseEvent{{"1", "message", "x\n\nevent: admin\nid: 999\ndata: evil"}}},
		{"leading space in data is kept", hyperlane.Event{Data: " indented"},
			"data:  indented\n\n", []sseEvent{{"", "message", " indented"}}},
		{"bytes are sent as they are", hyperlane.Event{Data: []byte("raw\nbytes")},
			"data: raw\ndata: bytes\n\n", []sseEvent{{"", "message", "raw\nbytes"}}},
		{"struct is JSON on one line", hyperlane.Event{Data: struct {
			N    int    `json:"n"`
			Text string `json:"text"`
		}{1, "two\nlines"}},
			"data: {\"n\":1,\"text\":\"two\\nlines\"}\n\n", []sseEvent{{"", "message", `{"n":1,"text":"two\nlines"}`}}},
		{"raw JSON keeps its lines", hyperlane.Event{Data: json.RawMessage("{\n  \"a\": 1\n}")},
			"data: {\ndata:   \"a\": 1\ndata: }\n\n", []sseEvent{{"", "message", "{\n  \"a\": 1\n}"}}},
		{"retry alone dispatches nothing", hyperlane.Event{Retry: 2 * time.Second},
			"retry: 2000\n\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev = tc.event
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if sendErr != nil {
				t.Fatal(sendErr)
			}
			if got := w.Body.String(); got != tc.wire {
				t.Fatalf("wire\n%q\nwant\n%q", got, tc.wire)
			}
			if got, _ := parseSSE(w.Body.String()); fmt.Sprint(got) != fmt.Sprint(tc.seen) {
				t.Fatalf("client sees %q, want %q", got, tc.seen)
			}
		})
	}

	for _, tc := range []struct {
		name  string
		event hyperlane.Event
		want  string
	}{
		{"ID with LF is rejected", hyperlane.Event{ID: "1\ndata: x", Data: "y"}, "ID"},
		{"ID with CR is rejected", hyperlane.Event{ID: "1\r", Data: "y"}, "ID"},
		{"ID with NUL is rejected", hyperlane.Event{ID: "1\x00", Data: "y"}, "ID"},
		{"event name with CRLF is rejected", hyperlane.Event{Event: "a\r\nevent: b", Data: "y"}, "Event"},
		{"negative retry is rejected", hyperlane.Event{Retry: -time.Second}, "Retry"},
		{"empty event is rejected", hyperlane.Event{}, "empty"},
		{"data that cannot be JSON is rejected", hyperlane.Event{Data: make(chan int)}, "Data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev = tc.event
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if sendErr == nil || !strings.Contains(sendErr.Error(), tc.want) {
				t.Fatalf("Send returned %v, want an error naming %s", sendErr, tc.want)
			}
			if w.Body.Len() != 0 {
				t.Fatalf("rejected event wrote %q", w.Body.String())
			}
		})
	}
}

// sseClient opens an event stream and returns the response and a reader
// of its body.
func sseClient(t *testing.T, url string, header ...string) (*http.Response, *bufio.Reader) {
	t.Helper()
	req, _ := http.NewRequestWithContext(rtCtx(t), "GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, bufio.NewReader(resp.Body)
}

// readEvent reads up to the blank line that ends an event or comment.
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			t.Fatalf("stream ended after %q: %v", b.String(), err)
		}
		if line == "\n" {
			return b.String()
		}
	}
}

func TestSSEStream(t *testing.T) {
	headersSent := make(chan struct{})
	s, _ := rtServer()
	s.Get("/count", func(c *hyperlane.Context) error {
		es := c.SSE()
		<-headersSent // the client has the headers before any event
		from, _ := strconv.Atoi(es.LastEventID())
		for i := from + 1; i <= 5; i++ {
			if err := es.Send(hyperlane.Event{ID: strconv.Itoa(i), Data: fmt.Sprintf("event %d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	addr := rtServe(t, s)

	t.Run("headers are sent at once", func(t *testing.T) {
		resp, r := sseClient(t, "http://"+addr+"/count")
		close(headersSent)
		for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
			if resp.Header.Get(k) != v {
				t.Errorf("%s: %q, want %q", k, resp.Header.Get(k), v)
			}
		}
		if got := readEvent(t, r); got != "id: 1\ndata: event 1\n\n" {
			t.Fatalf("first event %q", got)
		}
	})
	t.Run("Last-Event-ID resumes after the last event seen", func(t *testing.T) {
		_, r := sseClient(t, "http://"+addr+"/count", "Last-Event-ID", "3")
		var got []string
		for range 2 {
			got = append(got, readEvent(t, r))
		}
		if want := []string{"id: 4\ndata: event 4\n\n", "id: 5\ndata: event 5\n\n"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("resumed with %q, want %q", got, want)
		}
		if _, err := r.ReadByte(); err == nil {
			t.Fatal("stream did not end when the handler returned")
		}
	})
}

func TestSSEHeartbeat(t *testing.T) {
	s, _ := rtServer()
	s.Get("/quiet", func(c *hyperlane.Context) error {
		<-c.SSE(hyperlane.SSEHeartbeat(20 * time.Millisecond)).Done()
		return nil
	})
	// "off" overrides a short interval set before it: were 0 ignored, the
	// 20 ms heartbeat would come before the event.
	quietBeats := make(chan struct{})
	s.Get("/off", func(c *hyperlane.Context) error {
		es := c.SSE(hyperlane.SSEHeartbeat(20*time.Millisecond), hyperlane.SSEHeartbeat(0))
		select {
		case <-quietBeats: // /quiet beat three times since this stream opened
		case <-es.Done():
			return nil
		}
		return es.Send(hyperlane.Event{Data: "only this"})
	})
	addr := rtServe(t, s)
	_, off := sseClient(t, "http://"+addr+"/off")
	_, r := sseClient(t, "http://"+addr+"/quiet")
	for range 3 {
		if got := readEvent(t, r); got != ": heartbeat\n\n" {
			t.Fatalf("got %q, want a heartbeat comment", got)
		}
	}
	close(quietBeats)
	if got := readEvent(t, off); got != "data: only this\n\n" {
		t.Fatalf("heartbeats off: got %q first", got)
	}
}

func TestSSEClientGone(t *testing.T) {
	t.Run("disconnect ends the stream and Send fails", func(t *testing.T) {
		ended := make(chan error, 1)
		s, _ := rtServer()
		s.Get("/", func(c *hyperlane.Context) error {
			es := c.SSE()
			_ = es.Send(hyperlane.Event{Data: "hi"})
			<-es.Done()
			ended <- es.Send(hyperlane.Event{Data: "anyone?"})
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+rtServe(t, s)+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readEvent(t, bufio.NewReader(resp.Body))
		cancel()
		if err := rtWait(t, ended, "the handler to see the disconnect"); !errors.Is(err, hyperlane.ErrClientGone) {
			t.Fatalf("Send after disconnect: %v, want ErrClientGone", err)
		}
	})

	t.Run("client that stops reading is dropped by the write timeout", func(t *testing.T) {
		ended := make(chan error, 1)
		s, _ := rtServer()
		s.Get("/", func(c *hyperlane.Context) error {
			es := c.SSE(hyperlane.SSEWriteTimeout(100 * time.Millisecond))
			big := strings.Repeat("x", 64<<10)
			for {
				if err := es.Send(hyperlane.Event{Data: big}); err != nil {
					ended <- err
					return nil
				}
			}
		})
		resp, _ := sseClient(t, "http://"+rtServe(t, s)+"/")
		_ = resp // never read
		err := rtWait(t, ended, "the write to time out")
		if !errors.Is(err, hyperlane.ErrClientGone) || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Send returned %v, want ErrClientGone caused by the deadline", err)
		}
	})

	t.Run("stream used after its handler returned fails without writing", func(t *testing.T) {
		kept := make(chan *hyperlane.EventStream, 1)
		s, _ := rtServer()
		s.Get("/", func(c *hyperlane.Context) error {
			es := c.SSE(hyperlane.SSEHeartbeat(time.Millisecond))
			kept <- es
			return es.Send(hyperlane.Event{Data: "last"})
		})
		_, r := sseClient(t, "http://"+rtServe(t, s)+"/")
		readEvent(t, r)
		es := rtWait(t, kept, "the stream")
		<-es.Done()
		if err := es.Send(hyperlane.Event{Data: "late"}); err == nil || !strings.Contains(err.Error(), "after its handler returned") {
			t.Fatalf("late Send: %v", err)
		}
	})
}

func TestSSEShutdown(t *testing.T) {
	ended := make(chan error, 1)
	s, _ := rtServer()
	s.Get("/", func(c *hyperlane.Context) error {
		es := c.SSE()
		for i := 1; ; i++ {
			select {
			case <-es.Done():
				ended <- es.Send(hyperlane.Event{Data: "after"})
				return nil
			case <-time.After(5 * time.Millisecond):
				if err := es.Send(hyperlane.Event{ID: strconv.Itoa(i), Data: "tick"}); err != nil {
					ended <- err
					return nil
				}
			}
		}
	})
	_, r := sseClient(t, "http://"+rtServe(t, s)+"/")
	readEvent(t, r)
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(rtCtx(t)) }()
	if err := rtWait(t, ended, "the stream to end"); !errors.Is(err, hyperlane.ErrServerClosing) {
		t.Fatalf("Send during shutdown: %v, want ErrServerClosing", err)
	}
	if err := rtWait(t, done, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// The body ends cleanly after whole events: no partial event, no error.
	var rest strings.Builder
	_, err := r.WriteTo(&rest)
	if err != nil {
		t.Fatalf("stream ended with %v", err)
	}
	if body := rest.String(); body != "" && !strings.HasSuffix(body, "\n\n") {
		t.Fatalf("stream cut mid-event: %q", body)
	}
}

func TestSSEHead(t *testing.T) {
	s, _ := rtServer()
	s.Get("/", func(c *hyperlane.Context) error {
		es := c.SSE()
		<-es.Done() // HEAD gets the headers and an ended stream
		return nil
	})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("HEAD", "/", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/event-stream" {
		t.Fatalf("HEAD: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestSSELeavesNoGoroutines(t *testing.T) {
	const clients = 30
	ended := make(chan struct{}, clients+1)
	s, _ := rtServer()
	s.Get("/", func(c *hyperlane.Context) error {
		defer func() { ended <- struct{}{} }()
		es := c.SSE(hyperlane.SSEHeartbeat(5 * time.Millisecond))
		if err := es.Send(hyperlane.Event{Data: "hi"}); err != nil {
			return err
		}
		<-es.Done()
		return nil
	})
	addr := rtServe(t, s)
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	open := func() context.CancelFunc {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readEvent(t, bufio.NewReader(resp.Body))
		return cancel
	}
	open()()
	rtWait(t, ended, "warm-up stream to end")
	tr.CloseIdleConnections()
	base := countGoroutinesSettled()
	cancels := make([]context.CancelFunc, clients)
	for i := range cancels {
		cancels[i] = open()
	}
	for _, cancel := range cancels {
		cancel()
	}
	for range clients {
		rtWait(t, ended, "every stream to end")
	}
	tr.CloseIdleConnections()
	rtSettleGoroutines(t, base)
}
