package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// Errors Publish returns, wrapped, to the caller of Hub.Publish or
// Hub.SendTo.
var (
	// ErrUnavailable: the backplane has lost Redis and is reconnecting;
	// the message was not sent. Retry later or tell the user.
	ErrUnavailable = errors.New("redis backplane: not connected to Redis (reconnecting)")
	// ErrQueueFull: Options.Queue messages already wait for Redis.
	ErrQueueFull = errors.New("redis backplane: publish queue full")
)

// Defaults of Options.
const (
	DefaultMaxMessage = 1 << 20 // bytes per frame
	DefaultQueue      = 1024    // messages waiting to be sent to Redis
	DefaultMinBackoff = 50 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
	DefaultHeartbeat  = 5 * time.Second
)

// Options configures NewBackplane. Channel is required.
type Options[T any] struct {
	// Channel is the Redis pub/sub channel of the hub: every instance
	// whose hub shares rooms uses the same one, and one hub per channel.
	// All rooms travel on it, so messages from one publisher keep their
	// order whatever their room.
	Channel string
	// Codec encodes messages (default broadcast.JSONCodec).
	Codec broadcast.Codec[T]
	// MaxMessage bounds a frame in bytes, both ways: a larger publish
	// fails, a larger frame from Redis is dropped with a logged error
	// (default DefaultMaxMessage).
	MaxMessage int
	// Queue is how many publishes may wait to be written to Redis
	// (default DefaultQueue); past it Publish fails with ErrQueueFull.
	Queue int
	// MinBackoff and MaxBackoff bound the wait between reconnect
	// attempts, doubled (with jitter) after each failure.
	MinBackoff, MaxBackoff time.Duration
	// Heartbeat is how long the subscription may stay silent before a
	// PING checks it; no PONG within another Heartbeat counts as a lost
	// connection (default DefaultHeartbeat).
	Heartbeat time.Duration
	// Logger receives dropped frames and connection changes (default
	// slog.Default()).
	Logger *slog.Logger
	// OnStateChange, when set, is called from the backplane's goroutine
	// each time the subscription is lost (false) or (re)established
	// (true). It must not block.
	OnStateChange func(connected bool)
}

// Stats are counters of a Backplane since it was made.
type Stats struct {
	Connected  bool   // the subscription is live: publishes are accepted
	Reconnects uint64 // subscriptions established after a loss
	Published  uint64 // frames written to Redis
	Received   uint64 // frames read from Redis and handed to the hub
	Rejected   uint64 // frames from Redis dropped: garbage, too large, undecodable
	Lost       uint64 // accepted publishes that Redis did not take (logged)
}

// Backplane is a broadcast.Backplane over Redis pub/sub: every frame a
// hub publishes goes to Redis, and Redis sends it to the hub of every
// instance subscribed to the channel, this one included.
//
// Delivery is at most once, as Redis pub/sub is: an instance that is
// disconnected when a message passes misses it, and nothing is replayed
// (use an EventLog such as StreamLog for what must be resumed). Messages
// from one publishing goroutine arrive in order everywhere. While the
// subscription is lost, Publish fails at once with ErrUnavailable, and the
// backplane reconnects with exponential backoff; publishes accepted just
// before a loss was noticed may be lost, each counted in Stats.Lost and
// logged.
type Backplane[T any] struct {
	client goredis.UniversalClient
	opts   Options[T]
	log    *slog.Logger
	queue  chan []byte

	ctx     context.Context
	cancel  context.CancelFunc
	deliver atomic.Pointer[func(broadcast.Delivery[T]) error]

	life   sync.RWMutex // held shared by Publish, exclusively by Close
	closed bool
	psMu   sync.Mutex
	ps     *goredis.PubSub

	up                                              atomic.Bool
	reconnects, published, received, rejected, lost atomic.Uint64
	readerDone, writerDone                          chan struct{}
	connected                                       chan struct{} // closed on the first subscription
	connectOnce                                     sync.Once
}

// NewBackplane subscribes to opts.Channel through client and returns the
// backplane once Redis confirmed the subscription, or an error when it
// could not before ctx ended. The caller keeps client and closes it after
// the hub.
func NewBackplane[T any](ctx context.Context, client goredis.UniversalClient, opts Options[T]) (*Backplane[T], error) {
	if opts.Channel == "" {
		return nil, errors.New("redis backplane: Options.Channel is empty")
	}
	if opts.MaxMessage < 0 || opts.Queue < 0 || opts.MinBackoff < 0 || opts.MaxBackoff < 0 || opts.Heartbeat < 0 {
		return nil, errors.New("redis backplane: Options bounds must not be negative")
	}
	if opts.Codec == nil {
		opts.Codec = broadcast.JSONCodec[T]{}
	}
	if opts.MaxMessage == 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	if opts.Queue == 0 {
		opts.Queue = DefaultQueue
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	if opts.Heartbeat == 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	b := &Backplane[T]{
		client: client, opts: opts, log: opts.Logger,
		queue:      make(chan []byte, opts.Queue),
		readerDone: make(chan struct{}), writerDone: make(chan struct{}),
		connected: make(chan struct{}),
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.log = b.log.With("backplane", "redis", "channel", opts.Channel)
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.read()
	go b.write()
	select {
	case <-b.connected:
		return b, nil
	case <-ctx.Done():
		_ = b.Close()
		return nil, fmt.Errorf("redis backplane: subscribing to %q: %w", opts.Channel, ctx.Err())
	}
}

// Start implements broadcast.Backplane.
func (b *Backplane[T]) Start(deliver func(broadcast.Delivery[T]) error) {
	b.deliver.Store(&deliver)
}

// Publish implements broadcast.Backplane: it encodes d and queues it for
// Redis without waiting. It fails with ErrUnavailable while Redis is
// lost, ErrQueueFull when the queue is full, and with an error naming the
// limit for a frame over MaxMessage.
func (b *Backplane[T]) Publish(d broadcast.Delivery[T]) error {
	frame, err := broadcast.EncodeDelivery(b.opts.Codec, d, b.opts.MaxMessage)
	if err != nil {
		return fmt.Errorf("redis backplane: %w", err)
	}
	b.life.RLock()
	defer b.life.RUnlock()
	if b.closed {
		return broadcast.ErrClosed
	}
	if !b.up.Load() {
		return ErrUnavailable
	}
	select {
	case b.queue <- frame:
		return nil
	default:
		return ErrQueueFull
	}
}

// Close implements broadcast.Backplane: it writes what is queued (for a
// few seconds at most), then ends the subscription and the backplane's
// goroutines. It does not close the client.
func (b *Backplane[T]) Close() error {
	b.life.Lock()
	if b.closed {
		b.life.Unlock()
		return nil
	}
	b.closed = true
	close(b.queue)
	b.life.Unlock()
	<-b.writerDone
	b.cancel()
	b.psMu.Lock()
	if b.ps != nil {
		_ = b.ps.Close()
	}
	b.psMu.Unlock()
	<-b.readerDone
	return nil
}

// Stats returns the backplane's counters.
func (b *Backplane[T]) Stats() Stats {
	return Stats{
		Connected: b.up.Load(), Reconnects: b.reconnects.Load(),
		Published: b.published.Load(), Received: b.received.Load(),
		Rejected: b.rejected.Load(), Lost: b.lost.Load(),
	}
}

// write sends queued frames in order, a pipeline of those waiting at once.
func (b *Backplane[T]) write() {
	defer close(b.writerDone)
	const batch = 256
	frames := make([][]byte, 0, batch)
	for f := range b.queue {
		frames = append(frames[:0], f)
	fill:
		for len(frames) < batch {
			select {
			case f, ok := <-b.queue:
				if !ok {
					break fill
				}
				frames = append(frames, f)
			default:
				break fill
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := b.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, f := range frames {
				p.Publish(ctx, b.opts.Channel, f)
			}
			return nil
		})
		cancel()
		if err != nil {
			b.lost.Add(uint64(len(frames)))
			b.log.Error("redis backplane: messages not published", "count", len(frames), "error", err)
			continue
		}
		b.published.Add(uint64(len(frames)))
	}
}

// read keeps a subscription to the channel, reconnecting with backoff.
func (b *Backplane[T]) read() {
	defer close(b.readerDone)
	failures := 0
	for {
		b.psMu.Lock()
		if b.ctx.Err() != nil {
			b.psMu.Unlock()
			return
		}
		ps := b.client.Subscribe(b.ctx, b.opts.Channel)
		b.ps = ps
		b.psMu.Unlock()

		err := b.receive(ps, &failures)
		_ = ps.Close()
		if b.ctx.Err() != nil {
			return
		}
		if b.up.Swap(false) {
			b.log.Warn("redis backplane: subscription lost, reconnecting", "error", err)
			if b.opts.OnStateChange != nil {
				b.opts.OnStateChange(false)
			}
		}
		wait := b.backoff(failures)
		failures++
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-b.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// backoff is 0 for the first attempt after a loss (a restart of the
// connection alone is fixed at once), then doubles from MinBackoff to
// MaxBackoff, with up to a fifth of jitter so instances spread out.
func (b *Backplane[T]) backoff(failures int) time.Duration {
	if failures == 0 {
		return 0
	}
	d := b.opts.MinBackoff << min(failures-1, 30)
	if d <= 0 || d > b.opts.MaxBackoff {
		d = b.opts.MaxBackoff
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1)) // #nosec G404 -- jitter, not a secret
}

// receive reads the subscription until it fails.
func (b *Backplane[T]) receive(ps *goredis.PubSub, failures *int) error {
	pinged := false
	for {
		m, err := ps.ReceiveTimeout(b.ctx, b.opts.Heartbeat)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !pinged && b.up.Load() {
				if err := ps.Ping(b.ctx); err != nil {
					return fmt.Errorf("heartbeat: %w", err)
				}
				pinged = true
				continue
			}
			return err
		}
		pinged = false
		switch m := m.(type) {
		case *goredis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			*failures = 0
			first := false
			b.connectOnce.Do(func() { first = true; close(b.connected) })
			if !first {
				b.reconnects.Add(1)
				b.log.Info("redis backplane: subscription restored")
			}
			b.up.Store(true)
			if b.opts.OnStateChange != nil {
				b.opts.OnStateChange(true)
			}
		case *goredis.Message:
			b.handle([]byte(m.Payload))
		}
	}
}

// handle decodes one frame from Redis and hands it to the hub.
func (b *Backplane[T]) handle(frame []byte) {
	d, err := broadcast.DecodeDelivery(b.opts.Codec, frame, b.opts.MaxMessage)
	if err != nil {
		b.rejected.Add(1)
		b.log.Error("redis backplane: frame from Redis dropped", "bytes", len(frame), "error", err)
		return
	}
	b.received.Add(1)
	if deliver := b.deliver.Load(); deliver != nil {
		_ = (*deliver)(d) // ErrNoSubscriber: the subscriber is in another instance
	}
}
