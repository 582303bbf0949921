package chatroom

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Bounds of the event feed.
const (
	streamPrefix  = "chat:" // a room's stream in the event log
	appendTimeout = 5 * time.Second
	eventsRetry   = 500 * time.Millisecond
	readBatch     = 100
)

// Events serves a room's join, leave and message events as Server-Sent
// Events: GET path/events?room=lobby. Each event's id is its id in the
// chat's event log, and its data the JSON Message. A client that
// reconnects with Last-Event-ID gets exactly the events it missed (those
// the log still keeps), on any instance when the log is shared. A new
// client first gets an event with only an id, the room's newest, so
// that even a client that drops before the next message resumes without
// a gap. A malformed Last-Event-ID or room is 400.
func (ch *Chat) Events(c *hyperlane.Context) error {
	room := c.Query("room")
	if room == "" {
		room = DefaultRoom
	}
	if !roomName.MatchString(room) {
		return hyperlane.Error(http.StatusBadRequest, "room must be 1 to 32 lowercase letters, digits, '_' or '-'")
	}
	stream := streamPrefix + room
	after := c.Header("Last-Event-ID")
	if err := ch.log.CheckID(after); err != nil {
		return hyperlane.Errorf(http.StatusBadRequest, "Last-Event-ID %q is not an event id of this stream", after)
	}
	resumed := after != ""
	if !resumed {
		var err error
		if after, err = ch.log.Tail(c.Context(), stream); err != nil {
			return hyperlane.Errorf(http.StatusServiceUnavailable, "the chat's event log is unavailable: %v", err)
		}
	}
	es := c.SSE()
	first := hyperlane.Event{Retry: eventsRetry, ID: after}
	if after == "" {
		first.Event = "ready" // an empty room: no id yet, but the retry
		first.Data = "{}"
	}
	if err := es.Send(first); err != nil {
		return nil
	}
	for {
		entries, err := ch.log.Read(es.Context(), stream, after, readBatch)
		if err != nil {
			return nil // the client left, or the log failed: it reconnects and resumes
		}
		for _, e := range entries {
			if err := es.Send(hyperlane.Event{ID: e.ID, Data: json.RawMessage(e.Data)}); err != nil {
				return nil
			}
			after = e.ID
		}
	}
}
