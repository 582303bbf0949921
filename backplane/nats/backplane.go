// Package nats lets several Hyperlane instances share broadcast rooms
// through a NATS server: Backplane implements the hub's
// broadcast.Backplane on core NATS publish/subscribe. It is its own
// module, so the library's go.mod never depends on a NATS client. Import
// it under another name beside nats.go, for example hlnats.
package nats

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// ErrUnavailable is returned, wrapped, by Publish while the connection
// to NATS is lost: the message was not sent.
var ErrUnavailable = errors.New("nats backplane: not connected to NATS (reconnecting)")

// Defaults of Options.
const (
	DefaultMaxMessage = 1 << 20 // bytes per frame, the NATS server's default max_payload
	DefaultMinBackoff = 50 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
	DefaultPing       = 5 * time.Second
)

// Options configures Dial. Subject is required.
type Options[T any] struct {
	// Subject is the NATS subject of the hub: every instance whose hub
	// shares rooms uses the same one, and one hub per subject. All rooms
	// travel on it, so messages from one publisher keep their order
	// whatever their room.
	Subject string
	// Codec encodes messages (default broadcast.JSONCodec).
	Codec broadcast.Codec[T]
	// MaxMessage bounds a frame in bytes, both ways: a larger publish
	// fails, a larger frame from NATS is dropped with a logged error
	// (default DefaultMaxMessage; the server's max_payload applies too).
	MaxMessage int
	// MinBackoff and MaxBackoff bound the wait between reconnect
	// attempts, doubled (with jitter) after each failure.
	MinBackoff, MaxBackoff time.Duration
	// Ping is how often the client checks the connection; two PINGs
	// without an answer count as a lost connection (default DefaultPing).
	Ping time.Duration
	// Name is the connection's name, shown by the server's monitoring.
	Name string
	// Logger receives dropped frames and connection changes (default
	// slog.Default()).
	Logger *slog.Logger
	// OnStateChange, when set, is called each time the connection is
	// lost (false) or restored (true). It must not block.
	OnStateChange func(connected bool)
}

// Stats are counters of a Backplane since it was made.
type Stats struct {
	Connected  bool   // publishes are accepted
	Reconnects uint64 // connections restored after a loss
	Published  uint64 // frames handed to the NATS client
	Received   uint64 // frames read from NATS and handed to the hub
	Rejected   uint64 // frames from NATS dropped: garbage, too large, undecodable
}

// Backplane is a broadcast.Backplane over core NATS: every frame a hub
// publishes goes to the subject, and NATS sends it to the hub of every
// instance subscribed to it, this one included.
//
// Delivery is at most once, as core NATS is: an instance that is
// disconnected when a message passes misses it, and nothing is replayed.
// Messages from one publishing goroutine arrive in order everywhere.
// While the connection is lost, Publish fails at once with
// ErrUnavailable, and the client reconnects with exponential backoff and
// subscribes again. The client keeps no reconnect buffer, so nothing
// accepted is held back to arrive late.
type Backplane[T any] struct {
	nc      *nats.Conn
	sub     *nats.Subscription
	opts    Options[T]
	log     *slog.Logger
	deliver atomic.Pointer[func(broadcast.Delivery[T]) error]

	life   sync.RWMutex // held shared by Publish, exclusively by Close
	closed bool

	up                                      atomic.Bool
	reconnects, published, received, reject atomic.Uint64
}

// Dial connects to the NATS server at url (for example
// nats://127.0.0.1:4222), subscribes to opts.Subject and returns the
// backplane; it fails when the server cannot be reached. The backplane
// owns its connection: the hub's Close closes it.
func Dial[T any](url string, opts Options[T]) (*Backplane[T], error) {
	if opts.Subject == "" {
		return nil, errors.New("nats backplane: Options.Subject is empty")
	}
	if opts.MaxMessage < 0 || opts.MinBackoff < 0 || opts.MaxBackoff < 0 || opts.Ping < 0 {
		return nil, errors.New("nats backplane: Options bounds must not be negative")
	}
	if opts.Codec == nil {
		opts.Codec = broadcast.JSONCodec[T]{}
	}
	if opts.MaxMessage == 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	if opts.Ping == 0 {
		opts.Ping = DefaultPing
	}
	b := &Backplane[T]{opts: opts, log: opts.Logger}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.log = b.log.With("backplane", "nats", "subject", opts.Subject)
	nc, err := nats.Connect(url,
		nats.Name(opts.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectBufSize(-1),
		nats.CustomReconnectDelay(b.backoff),
		nats.PingInterval(opts.Ping),
		nats.MaxPingsOutstanding(2),
		nats.NoCallbacksAfterClientClose(),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if b.up.Swap(false) {
				b.log.Warn("nats backplane: connection lost, reconnecting", "error", err)
				if opts.OnStateChange != nil {
					opts.OnStateChange(false)
				}
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.reconnects.Add(1)
			// The client sent the subscription again as it reconnected;
			// the server has it once a round trip is done. Until then a
			// message published on another instance could miss this one.
			if err := nc.FlushTimeout(reconnectFlush); err != nil && !nc.IsConnected() {
				return // lost again: the next reconnect says so
			}
			b.up.Store(true)
			b.log.Info("nats backplane: connection restored")
			if opts.OnStateChange != nil {
				opts.OnStateChange(true)
			}
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			b.log.Error("nats backplane: asynchronous error", "error", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("nats backplane: connecting to %s: %w", url, err)
	}
	b.nc = nc
	if b.sub, err = nc.Subscribe(opts.Subject, b.handle); err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats backplane: subscribing to %q: %w", opts.Subject, err)
	}
	// The subscription is live on the server once a round trip is done.
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats backplane: subscribing to %q: %w", opts.Subject, err)
	}
	b.up.Store(true)
	return b, nil
}

// reconnectFlush bounds the round trip that confirms the subscription
// after a reconnect; a server slower than that is taken as back anyway.
const reconnectFlush = 2 * time.Second

// backoff is the wait before reconnect attempt n (from 1): MinBackoff
// doubled each time up to MaxBackoff, less up to a fifth of jitter.
func (b *Backplane[T]) backoff(n int) time.Duration {
	d := b.opts.MinBackoff << min(max(n-1, 0), 30)
	if d <= 0 || d > b.opts.MaxBackoff {
		d = b.opts.MaxBackoff
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1)) // #nosec G404 -- jitter, not a secret
}

// Start implements broadcast.Backplane.
func (b *Backplane[T]) Start(deliver func(broadcast.Delivery[T]) error) {
	b.deliver.Store(&deliver)
}

// Publish implements broadcast.Backplane: it encodes d and hands it to
// the NATS client, which writes it without waiting for the server. It
// fails with ErrUnavailable while the connection is lost, and with an
// error naming the limit for a frame over MaxMessage.
func (b *Backplane[T]) Publish(d broadcast.Delivery[T]) error {
	frame, err := broadcast.EncodeDelivery(b.opts.Codec, d, b.opts.MaxMessage)
	if err != nil {
		return fmt.Errorf("nats backplane: %w", err)
	}
	b.life.RLock()
	defer b.life.RUnlock()
	if b.closed {
		return broadcast.ErrClosed
	}
	if !b.up.Load() {
		return ErrUnavailable
	}
	if err := b.nc.Publish(b.opts.Subject, frame); err != nil {
		if b.nc.IsReconnecting() {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return fmt.Errorf("nats backplane: publishing: %w", err)
	}
	b.published.Add(1)
	return nil
}

// Close implements broadcast.Backplane: it sends what the client holds
// (for two seconds at most), then closes the connection.
func (b *Backplane[T]) Close() error {
	b.life.Lock()
	if b.closed {
		b.life.Unlock()
		return nil
	}
	b.closed = true
	b.life.Unlock()
	var err error
	if b.nc.IsConnected() {
		err = b.nc.FlushTimeout(2 * time.Second) // what the client holds reaches the server
	}
	b.nc.Close()
	if err != nil {
		return fmt.Errorf("nats backplane: flushing on close: %w", err)
	}
	return nil
}

// Stats returns the backplane's counters.
func (b *Backplane[T]) Stats() Stats {
	return Stats{
		Connected: b.up.Load(), Reconnects: b.reconnects.Load(),
		Published: b.published.Load(), Received: b.received.Load(), Rejected: b.reject.Load(),
	}
}

// handle decodes one frame from NATS and hands it to the hub; it runs on
// the subscription's goroutine, in the order NATS delivers.
func (b *Backplane[T]) handle(m *nats.Msg) {
	d, err := broadcast.DecodeDelivery(b.opts.Codec, m.Data, b.opts.MaxMessage)
	if err != nil {
		b.reject.Add(1)
		b.log.Error("nats backplane: frame from NATS dropped", "bytes", len(m.Data), "error", err)
		return
	}
	b.received.Add(1)
	if deliver := b.deliver.Load(); deliver != nil {
		_ = (*deliver)(d) // ErrNoSubscriber: the subscriber is in another instance
	}
}
