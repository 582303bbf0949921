package broadcast

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// Codec turns a message into bytes and back, for backplanes that carry
// deliveries between processes. JSONCodec is the default of the Redis and
// NATS backplanes.
type Codec[T any] interface {
	Marshal(msg T) ([]byte, error)
	Unmarshal(data []byte) (T, error)
}

// JSONCodec encodes messages with encoding/json.
type JSONCodec[T any] struct{}

// Marshal implements Codec.
func (JSONCodec[T]) Marshal(msg T) ([]byte, error) { return json.Marshal(msg) }

// Unmarshal implements Codec.
func (JSONCodec[T]) Unmarshal(data []byte) (T, error) {
	var msg T
	err := json.Unmarshal(data, &msg)
	return msg, err
}

// ErrBadFrame is wrapped by DecodeDelivery's errors: the bytes are not a
// delivery encoded by EncodeDelivery (garbage, truncated, too large, or a
// message the codec rejects).
var ErrBadFrame = errors.New("broadcast: bad delivery frame")

// frameVersion is the first byte of every frame; a later format takes
// another value so that mixed versions reject each other's frames.
const frameVersion = 1

// maxName bounds a frame's room and subscriber ID.
const maxName = 1 << 16

// EncodeDelivery frames d for a broker: a version byte, the room and the
// To ID (each a uvarint length then the bytes), then the message as
// codec encodes it. It fails, naming the limit, when the frame would be
// longer than limit bytes (limit <= 0: no limit).
func EncodeDelivery[T any](codec Codec[T], d Delivery[T], limit int) ([]byte, error) {
	if len(d.Room) > maxName || len(d.To) > maxName {
		return nil, fmt.Errorf("broadcast: room or subscriber ID longer than %d bytes", maxName)
	}
	msg, err := codec.Marshal(d.Msg)
	if err != nil {
		return nil, fmt.Errorf("broadcast: encoding the message: %w", err)
	}
	buf := make([]byte, 0, 1+2*binary.MaxVarintLen32+len(d.Room)+len(d.To)+len(msg))
	buf = append(buf, frameVersion)
	buf = binary.AppendUvarint(buf, uint64(len(d.Room)))
	buf = append(buf, d.Room...)
	buf = binary.AppendUvarint(buf, uint64(len(d.To)))
	buf = append(buf, d.To...)
	buf = append(buf, msg...)
	if limit > 0 && len(buf) > limit {
		return nil, fmt.Errorf("broadcast: delivery of %d bytes is over the limit of %d bytes", len(buf), limit)
	}
	return buf, nil
}

// DecodeDelivery reads a frame of EncodeDelivery. Every failure wraps
// ErrBadFrame; it never panics, whatever the bytes (limit <= 0: no limit).
func DecodeDelivery[T any](codec Codec[T], frame []byte, limit int) (Delivery[T], error) {
	var d Delivery[T]
	if limit > 0 && len(frame) > limit {
		return d, fmt.Errorf("%w: %d bytes, over the limit of %d", ErrBadFrame, len(frame), limit)
	}
	if len(frame) == 0 || frame[0] != frameVersion {
		return d, fmt.Errorf("%w: unknown version", ErrBadFrame)
	}
	rest := frame[1:]
	var room, to []byte
	var ok bool
	if room, rest, ok = field(rest); !ok {
		return d, fmt.Errorf("%w: truncated room", ErrBadFrame)
	}
	if to, rest, ok = field(rest); !ok {
		return d, fmt.Errorf("%w: truncated subscriber ID", ErrBadFrame)
	}
	if len(room) == 0 && len(to) == 0 {
		return d, fmt.Errorf("%w: neither room nor subscriber ID", ErrBadFrame)
	}
	msg, err := codec.Unmarshal(rest)
	if err != nil {
		return d, fmt.Errorf("%w: decoding the message: %w", ErrBadFrame, err)
	}
	d.Room, d.To, d.Msg = string(room), string(to), msg
	return d, nil
}

// field reads a uvarint length and that many bytes.
func field(b []byte) (val, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > maxName {
		return nil, nil, false
	}
	end := k + int(n) // #nosec G115 -- n <= maxName
	if end > len(b) {
		return nil, nil, false
	}
	return b[k:end], b[end:], true
}
