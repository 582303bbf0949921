package metrics

import (
	"fmt"
	"sync"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// Hub is what WatchHub reads: any *broadcast.Hub[T].
type Hub interface {
	Stats() broadcast.Stats
}

// WatchHub adds the hub's rooms, subscribers, dropped messages,
// slow-consumer disconnects and backplane publish errors to the series,
// labelled hub=name. It panics on an empty name or one watched already.
func (m *Metrics) WatchHub(name string, h Hub) {
	if name == "" || h == nil {
		panic("metrics: WatchHub needs a name and a hub")
	}
	m.server.hubs.add(name, h)
}

type namedHub struct {
	name string
	hub  Hub
}

type hubList struct {
	mu   sync.Mutex
	hubs []namedHub
}

func (l *hubList) add(name string, h Hub) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, nh := range l.hubs {
		if nh.name == name {
			panic(fmt.Sprintf("metrics: WatchHub(%q): a hub of that name is watched already", name))
		}
	}
	l.hubs = append(l.hubs, namedHub{name, h})
}

func (l *hubList) snapshot() []namedHub {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]namedHub(nil), l.hubs...)
}
