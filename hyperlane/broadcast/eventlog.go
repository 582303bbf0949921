package broadcast

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LogEntry is one event kept in an EventLog: its id, unique and
// increasing within its stream, and its data.
type LogEntry struct {
	ID   string
	Data []byte
}

// ErrBadEventID is wrapped by the error an EventLog returns for an id
// that cannot be one of its own (for example a Last-Event-ID a client
// made up): answer it with 400, not 500.
var ErrBadEventID = errors.New("broadcast: not an event id of this log")

// EventLog keeps the recent events of named streams so that a
// Server-Sent Events client that reconnects with Last-Event-ID gets
// exactly the events it missed. MemoryLog serves one process; a log on
// a shared store (the Redis module's StreamLog, on Redis Streams) gives
// ids that are global per stream, so the client may reconnect to any
// instance. A log keeps a bounded number of entries per stream: a client
// away for longer than that misses the oldest ones.
type EventLog interface {
	// Append adds data at the end of stream and returns its id.
	Append(ctx context.Context, stream string, data []byte) (string, error)
	// Tail returns the id of the newest entry of stream ("" when it has
	// none): Read after it returns only what comes next.
	Tail(ctx context.Context, stream string) (string, error)
	// Read returns, oldest first, up to max entries of stream that
	// follow the entry with id after ("": from the oldest kept). It waits
	// until there is at least one or ctx ends (then it returns an error
	// wrapping ctx.Err()). An id ahead of the newest entry means that the
	// log was made anew (a restart, an expiry): Read starts from the
	// oldest kept. An id the log could not have made wraps ErrBadEventID.
	Read(ctx context.Context, stream, after string, max int) ([]LogEntry, error)
	// CheckID returns an error wrapping ErrBadEventID when id cannot be
	// an id of this log, without a round trip: check a Last-Event-ID
	// with it before the response starts.
	CheckID(id string) error
}

// Defaults of MemoryLog.
const (
	DefaultLogCap     = 1000 // entries kept per stream
	DefaultLogStreams = 1024 // streams kept; the least recently appended goes first
)

// MemoryLog is the in-process EventLog. Its ids are "E-N": N counts
// the entries of a stream from 1, E tells this stream apart from one of
// the same name made before (in an earlier run of the process, or before
// an eviction), so that a client's id from there reads the stream anew
// rather than skipping entries. It keeps a bounded number of entries per
// stream and of streams. The zero value is not ready: use NewMemoryLog.
type MemoryLog struct {
	cap, maxStreams int
	epoch           uint64 // of the next stream made

	mu      sync.Mutex
	streams map[string]*memStream
	clock   uint64 // orders streams by last append, for eviction
}

type memStream struct {
	entries []LogEntry // oldest first, at most cap
	epoch   uint64
	last    uint64 // N of the newest entry
	used    uint64 // clock at the last append
	wake    chan struct{}
}

// NewMemoryLog returns a MemoryLog that keeps capPerStream entries per
// stream and maxStreams streams (0 for either: the default). It panics
// on a negative bound.
func NewMemoryLog(capPerStream, maxStreams int) *MemoryLog {
	if capPerStream < 0 || maxStreams < 0 {
		panic(fmt.Sprintf("broadcast: NewMemoryLog(%d, %d): bounds must not be negative", capPerStream, maxStreams))
	}
	if capPerStream == 0 {
		capPerStream = DefaultLogCap
	}
	if maxStreams == 0 {
		maxStreams = DefaultLogStreams
	}
	return &MemoryLog{cap: capPerStream, maxStreams: maxStreams, streams: map[string]*memStream{},
		epoch: uint64(time.Now().UnixMilli())} // #nosec G115 -- the clock is past 1970: positive
}

// Append implements EventLog.
func (l *MemoryLog) Append(_ context.Context, stream string, data []byte) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.get(stream)
	l.clock++
	s.used = l.clock
	s.last++
	id := s.id(s.last)
	if len(s.entries) == l.cap {
		copy(s.entries, s.entries[1:])
		s.entries = s.entries[:len(s.entries)-1]
	}
	s.entries = append(s.entries, LogEntry{ID: id, Data: data})
	close(s.wake)
	s.wake = make(chan struct{})
	return id, nil
}

// get returns stream, making it (and dropping the least recently
// appended one past MaxStreams) when it is new. l.mu is held.
func (l *MemoryLog) get(stream string) *memStream {
	s := l.streams[stream]
	if s == nil {
		if len(l.streams) >= l.maxStreams {
			l.evict()
		}
		s = &memStream{wake: make(chan struct{}), epoch: l.epoch}
		l.epoch++
		l.streams[stream] = s
	}
	return s
}

// evict drops the least recently appended stream and wakes its readers:
// they read on from the stream made anew.
func (l *MemoryLog) evict() {
	var oldest string
	var used uint64
	for name, s := range l.streams {
		if oldest == "" || s.used < used {
			oldest, used = name, s.used
		}
	}
	close(l.streams[oldest].wake)
	delete(l.streams, oldest)
}

// Tail implements EventLog.
func (l *MemoryLog) Tail(_ context.Context, stream string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.streams[stream]; s != nil && s.last > 0 {
		return s.id(s.last), nil
	}
	return "", nil
}

func (s *memStream) id(n uint64) string {
	return strconv.FormatUint(s.epoch, 10) + "-" + strconv.FormatUint(n, 10)
}

// CheckID implements EventLog: ids are two decimal numbers joined by '-'.
func (l *MemoryLog) CheckID(id string) error {
	_, _, err := parseMemID(id)
	return err
}

func parseMemID(id string) (epoch, n uint64, err error) {
	if id == "" {
		return 0, 0, nil
	}
	e, num, ok := strings.Cut(id, "-")
	if ok {
		if epoch, err = strconv.ParseUint(e, 10, 64); err == nil {
			if n, err = strconv.ParseUint(num, 10, 64); err == nil {
				return epoch, n, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("%w: %q", ErrBadEventID, id)
}

// Read implements EventLog.
func (l *MemoryLog) Read(ctx context.Context, stream, after string, max int) ([]LogEntry, error) {
	epoch, from, err := parseMemID(after)
	if err != nil {
		return nil, err
	}
	if max <= 0 {
		max = 1
	}
	for {
		l.mu.Lock()
		s := l.get(stream)
		if after != "" && (epoch != s.epoch || from > s.last) {
			from = 0 // an id of another making of this stream: read it all
		}
		if s.last > from && len(s.entries) > 0 {
			first := s.last - uint64(len(s.entries)) + 1
			skip := 0
			if from >= first {
				skip = int(from - first + 1) // #nosec G115 -- first <= from <= s.last: below len(s.entries)
			}
			n := min(len(s.entries)-skip, max)
			out := make([]LogEntry, n)
			copy(out, s.entries[skip:skip+n])
			l.mu.Unlock()
			return out, nil
		}
		wake := s.wake
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("broadcast: reading stream %q: %w", stream, ctx.Err())
		case <-wake:
		}
	}
}
