package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// Defaults of StreamLogOptions.
const (
	DefaultStreamPrefix = "hyperlane:sse:"
	DefaultStreamCap    = 1000
	DefaultStreamTTL    = 24 * time.Hour
	DefaultStreamBlock  = 2 * time.Second
	DefaultMaxWatched   = 8
	DefaultStreamPoll   = 500 * time.Millisecond
)

// StreamLogOptions configures NewStreamLog. The zero value is ready.
type StreamLogOptions struct {
	// Prefix goes before each stream's name to make its Redis key
	// (default DefaultStreamPrefix).
	Prefix string
	// Cap is about how many entries a stream keeps (XADD MAXLEN ~ Cap;
	// Redis may keep a few more). Default DefaultStreamCap.
	Cap int64
	// TTL is how long a stream is kept after its last Append (default
	// DefaultStreamTTL), so that streams of names no longer used go away.
	TTL time.Duration
	// Block is how long one XREAD BLOCK of a waiting stream lasts; it
	// bounds how long a stream nobody reads any more keeps its
	// connection (default DefaultStreamBlock).
	Block time.Duration
	// MaxWatched bounds the streams of this process that have a
	// goroutine and a connection blocked in XREAD (default
	// DefaultMaxWatched), so that readers of many streams cannot take
	// the client's whole pool (go-redis's PoolSize, 10 per CPU by
	// default: keep MaxWatched well below it). Readers of further
	// streams look again every Poll (default DefaultStreamPoll).
	MaxWatched int
	Poll       time.Duration
	// Logger receives the errors of the goroutines that wait for new
	// entries (default slog.Default()).
	Logger *slog.Logger
}

// StreamLog is a broadcast.EventLog on Redis Streams: each stream is a
// Redis stream (XADD with MAXLEN ~ Cap), its ids are Redis's, global to
// every instance that shares the Redis, so an SSE client may reconnect to
// any of them with Last-Event-ID and get exactly the events it missed.
//
// Readers that wait share, per stream and per process, one goroutine and
// one connection blocked in XREAD, which wakes them when entries arrive;
// each reader then fetches its own entries with XRANGE. At most
// MaxWatched streams are watched so; readers of others look again every
// Poll. Close ends those goroutines; the caller keeps the client.
type StreamLog struct {
	client goredis.UniversalClient
	opts   StreamLogOptions
	log    *slog.Logger

	mu      sync.Mutex
	watches map[string]*watch
	closed  bool
	wg      sync.WaitGroup
}

// watch is the goroutine that waits for new entries of one stream.
type watch struct {
	refs   int
	wake   chan struct{} // closed when entries arrive, then replaced
	cancel context.CancelFunc
}

// NewStreamLog returns a StreamLog on client. It panics on a negative
// Cap, TTL or Block.
func NewStreamLog(client goredis.UniversalClient, opts StreamLogOptions) *StreamLog {
	if opts.Cap < 0 || opts.TTL < 0 || opts.Block < 0 || opts.MaxWatched < 0 || opts.Poll < 0 {
		panic("redis: StreamLogOptions Cap, TTL, Block, MaxWatched and Poll must not be negative")
	}
	if opts.MaxWatched == 0 {
		opts.MaxWatched = DefaultMaxWatched
	}
	if opts.Poll == 0 {
		opts.Poll = DefaultStreamPoll
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultStreamPrefix
	}
	if opts.Cap == 0 {
		opts.Cap = DefaultStreamCap
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultStreamTTL
	}
	if opts.Block == 0 {
		opts.Block = DefaultStreamBlock
	}
	l := &StreamLog{client: client, opts: opts, log: opts.Logger, watches: map[string]*watch{}}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l
}

// Append implements broadcast.EventLog with XADD (MAXLEN ~ Cap), and
// renews the stream's TTL.
func (l *StreamLog) Append(ctx context.Context, stream string, data []byte) (string, error) {
	key := l.opts.Prefix + stream
	var add *goredis.StringCmd
	_, err := l.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		add = p.XAdd(ctx, &goredis.XAddArgs{Stream: key, MaxLen: l.opts.Cap, Approx: true, Values: []any{"d", data}})
		p.Expire(ctx, key, l.opts.TTL)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("redis stream log: XADD %s: %w", key, err)
	}
	return add.Val(), nil
}

// Tail implements broadcast.EventLog.
func (l *StreamLog) Tail(ctx context.Context, stream string) (string, error) {
	es, err := l.client.XRevRangeN(ctx, l.opts.Prefix+stream, "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("redis stream log: XREVRANGE %s: %w", l.opts.Prefix+stream, err)
	}
	if len(es) == 0 {
		return "", nil
	}
	return es[0].ID, nil
}

// CheckID implements broadcast.EventLog: a Redis stream id is two
// decimal numbers joined by '-'.
func (l *StreamLog) CheckID(id string) error {
	_, _, err := parseStreamID(id)
	return err
}

func parseStreamID(id string) (ms, seq uint64, err error) {
	if id == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(id, "-")
	if ok {
		if ms, err = strconv.ParseUint(a, 10, 64); err == nil {
			if seq, err = strconv.ParseUint(b, 10, 64); err == nil {
				return ms, seq, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("%w: %q", broadcast.ErrBadEventID, id)
}

// Read implements broadcast.EventLog with XRANGE, waiting for new
// entries through the stream's shared XREAD.
func (l *StreamLog) Read(ctx context.Context, stream, after string, max int) ([]broadcast.LogEntry, error) {
	ams, aseq, err := parseStreamID(after)
	if err != nil {
		return nil, err
	}
	if max <= 0 {
		max = 1
	}
	key := l.opts.Prefix + stream
	for {
		// Take the wake channel before looking, so that an entry added
		// after the look closes it.
		wake, release, err := l.watch(stream)
		if err != nil {
			return nil, err
		}
		start := "-"
		if after != "" {
			start = "(" + after
		}
		es, err := l.client.XRangeN(ctx, key, start, "+", int64(max)).Result()
		if err == nil && len(es) == 0 && after != "" {
			// An id ahead of the stream's newest: the stream expired or
			// Redis lost it; read it anew from the oldest kept.
			var tail string
			if tail, err = l.Tail(ctx, stream); err == nil && tail != "" {
				tms, tseq, _ := parseStreamID(tail)
				if ams > tms || ams == tms && aseq > tseq {
					es, err = l.client.XRangeN(ctx, key, "-", "+", int64(max)).Result()
				}
			}
		}
		if err != nil {
			release()
			return nil, fmt.Errorf("redis stream log: XRANGE %s: %w", key, err)
		}
		if len(es) > 0 {
			release()
			out := make([]broadcast.LogEntry, len(es))
			for i, e := range es {
				d, _ := e.Values["d"].(string)
				out[i] = broadcast.LogEntry{ID: e.ID, Data: []byte(d)}
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			release()
			return nil, fmt.Errorf("redis stream log: reading %s: %w", key, ctx.Err())
		case <-wake:
			release()
		}
	}
}

// watch returns the current wake channel of stream, starting its
// goroutine when it is the first reader, and the func that lets it go.
func (l *StreamLog) watch(stream string) (<-chan struct{}, func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, nil, errors.New("redis stream log: closed")
	}
	w := l.watches[stream]
	if w == nil && len(l.watches) >= l.opts.MaxWatched {
		// Past MaxWatched: look again after Poll, without a connection.
		wake := make(chan struct{})
		t := time.AfterFunc(l.opts.Poll, func() { close(wake) })
		return wake, func() { t.Stop() }, nil
	}
	if w == nil {
		ctx, cancel := context.WithCancel(context.Background())
		w = &watch{wake: make(chan struct{}), cancel: cancel}
		l.watches[stream] = w
		l.wg.Add(1)
		go l.run(ctx, stream, w)
	}
	w.refs++
	wake := w.wake
	return wake, func() {
		l.mu.Lock()
		w.refs-- // at 0, run ends after its XREAD, unless a reader came back
		l.mu.Unlock()
	}, nil
}

// run blocks in XREAD on stream and wakes its readers when entries
// arrive, until it finds no reader after an XREAD (within Block of the
// last one leaving): the stream stays in l.watches, and counts against
// MaxWatched, until then.
func (l *StreamLog) run(ctx context.Context, stream string, w *watch) {
	defer l.wg.Done()
	defer func() { // after Close, or when idle (then already deleted)
		l.mu.Lock()
		if l.watches[stream] == w {
			delete(l.watches, stream)
		}
		l.mu.Unlock()
		w.cancel()
	}()
	key := l.opts.Prefix + stream
	last := "$"
	if tail, err := l.Tail(ctx, stream); err == nil && tail != "" {
		last = tail
	}
	l.wakeAll(w) // readers that looked before last was taken look again
	failures := 0
	for ctx.Err() == nil {
		l.mu.Lock()
		if w.refs == 0 { // no reader: leave, in the same hold of mu as the check
			delete(l.watches, stream)
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		res, err := l.client.XRead(ctx, &goredis.XReadArgs{Streams: []string{key, last}, Count: 1000, Block: l.opts.Block}).Result()
		switch {
		case errors.Is(err, goredis.Nil): // Block passed without an entry
			failures = 0
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			failures++
			if failures == 1 {
				l.log.Warn("redis stream log: waiting for entries failed, retrying", "stream", key, "error", err)
			}
			t := time.NewTimer(min(DefaultMinBackoff<<min(failures, 7), DefaultMaxBackoff))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			l.wakeAll(w) // readers look again: entries may have come meanwhile
		default:
			failures = 0
			if len(res) > 0 && len(res[0].Messages) > 0 {
				last = res[0].Messages[len(res[0].Messages)-1].ID
				l.wakeAll(w)
			}
		}
	}
}

func (l *StreamLog) wakeAll(w *watch) {
	l.mu.Lock()
	close(w.wake)
	w.wake = make(chan struct{})
	l.mu.Unlock()
}

// Close ends the goroutines that wait for entries; readers that wait get
// an error. It does not close the client.
func (l *StreamLog) Close() error {
	l.mu.Lock()
	l.closed = true
	for _, w := range l.watches {
		w.cancel()
		close(w.wake) // its readers look again and learn of the close
		w.wake = make(chan struct{})
	}
	l.mu.Unlock()
	l.wg.Wait()
	return nil
}

var _ broadcast.EventLog = (*StreamLog)(nil)
