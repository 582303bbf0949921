package broadcast_test

import (
	"errors"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// failingBackplane fails every Publish, and reports failures of its own.
type failingBackplane struct {
	broadcast.MemoryBackplane[string]
}

func (*failingBackplane) Publish(broadcast.Delivery[string]) error { return errors.New("broker down") }
func (*failingBackplane) Stats() broadcast.BackplaneStats {
	return broadcast.BackplaneStats{PublishErrors: 5}
}

func TestHubStats(t *testing.T) {
	tests := []struct {
		name string
		run  func() broadcast.Stats
		want broadcast.Stats
	}{
		{"rooms and subscribers are counted", func() broadcast.Stats {
			h := broadcast.New(broadcast.Options[string]{})
			h.Subscribe("a")
			h.Subscribe("a")
			h.Subscribe("b")
			return h.Stats()
		}, broadcast.Stats{Rooms: 2, Subscribers: 3}},
		{"DropOldest counts every dropped message", func() broadcast.Stats {
			h := broadcast.New(broadcast.Options[string]{Buffer: 1})
			h.Subscribe("a")
			for _, m := range []string{"1", "2", "3"} {
				_ = h.Publish("a", m)
			}
			return h.Stats()
		}, broadcast.Stats{Rooms: 1, Subscribers: 1, Dropped: 2}},
		{"Disconnect counts the slow subscribers it ends", func() broadcast.Stats {
			h := broadcast.New(broadcast.Options[string]{Buffer: 1, Policy: broadcast.Disconnect})
			h.Subscribe("a")
			_ = h.Publish("a", "1")
			_ = h.Publish("a", "2")
			return h.Stats()
		}, broadcast.Stats{Disconnected: 1}},
		{"a failing backplane counts its publish errors and reports its own", func() broadcast.Stats {
			h := broadcast.New(broadcast.Options[string]{Backplane: new(failingBackplane)})
			_ = h.Publish("a", "1")
			_ = h.Publish("a", "2")
			return h.Stats()
		}, broadcast.Stats{PublishErrors: 2, Backplane: broadcast.BackplaneStats{PublishErrors: 5}}},
		{"no subscriber for SendTo and a closed hub are answers, not errors", func() broadcast.Stats {
			h := broadcast.New(broadcast.Options[string]{})
			_ = h.SendTo("nobody", "x")
			_ = h.Close()
			_ = h.Publish("a", "x")
			return h.Stats()
		}, broadcast.Stats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.run(); got != tt.want {
				t.Errorf("Stats = %+v, want %+v", got, tt.want)
			}
		})
	}
}
