package hyperlane_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// WebSocket opcodes (RFC 6455, section 5.2).
const (
	opCont   = 0x0
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

// frame is one WebSocket frame as a hostile client writes it: every bit
// under the test's control.
type frame struct {
	fin      bool
	rsv      byte // the three RSV bits, already shifted into place (0x70)
	opcode   byte
	payload  []byte
	unmasked bool  // send without a mask, which clients must never do
	length   int64 // the length to declare; -1 declares len(payload)
}

func (f frame) bytes() []byte {
	var b bytes.Buffer
	first := f.rsv | f.opcode
	if f.fin {
		first |= 0x80
	}
	b.WriteByte(first)
	maskBit := byte(0x80)
	if f.unmasked {
		maskBit = 0
	}
	n := f.length
	if n < 0 {
		n = int64(len(f.payload))
	}
	switch {
	case n < 126:
		b.WriteByte(maskBit | byte(n))
	case n <= 0xffff:
		b.WriteByte(maskBit | 126)
		_ = binary.Write(&b, binary.BigEndian, uint16(n))
	default:
		b.WriteByte(maskBit | 127)
		_ = binary.Write(&b, binary.BigEndian, uint64(n))
	}
	if f.unmasked {
		b.Write(f.payload)
		return b.Bytes()
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b.Write(key[:])
	for i, c := range f.payload {
		b.WriteByte(c ^ key[i%4])
	}
	return b.Bytes()
}

// data, cont and ctl build the common frames.
func data(op byte, fin bool, p string) frame {
	return frame{fin: fin, opcode: op, payload: []byte(p), length: -1}
}
func ctl(op byte, p []byte) frame { return frame{fin: true, opcode: op, payload: p, length: -1} }

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

// serverFrame is a frame the server sent.
type serverFrame struct {
	fin     bool
	opcode  byte
	payload []byte
}

// readServerFrame reads one unmasked server frame.
func readServerFrame(br *bufio.Reader) (serverFrame, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return serverFrame{}, err
	}
	if h[1]&0x80 != 0 {
		return serverFrame{}, errors.New("server frame is masked")
	}
	n := int64(h[1] & 0x7f)
	switch n {
	case 126:
		var l uint16
		if err := binary.Read(br, binary.BigEndian, &l); err != nil {
			return serverFrame{}, err
		}
		n = int64(l)
	case 127:
		var l uint64
		if err := binary.Read(br, binary.BigEndian, &l); err != nil {
			return serverFrame{}, err
		}
		n = int64(l)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		return serverFrame{}, err
	}
	return serverFrame{fin: h[0]&0x80 != 0, opcode: h[0] & 0x0f, payload: p}, nil
}

// rawWebSocket performs the opening handshake by hand and returns the
// connection, ready for frames.
func rawWebSocket(t *testing.T, addr, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(rtGuard))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, addr)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %d", resp.StatusCode)
	}
	return conn, br
}

// closeCode is what the server's close frame said: its code, or -1 when
// the server dropped the connection without one.
func closeCode(f serverFrame) int {
	if len(f.payload) < 2 {
		return 1005
	}
	return int(binary.BigEndian.Uint16(f.payload))
}

func TestWebSocketRawFrames(t *testing.T) {
	// Its cases wait out WebSocket timeouts (the 5 s close handshake):
	// overlap them with the other waiting tests, after the serial ones.
	t.Parallel()
	const limit = 1024
	s, log := rtServer()
	s.WebSocket("/ws", echo, hyperlane.WSReadLimit(limit))
	addr := rtServe(t, s)

	euro := "€" // three bytes: E2 82 AC
	tests := []struct {
		name   string
		frames []frame
		// replies are the data and pong frames expected before the close,
		// as "opcode:payload".
		replies []string
		close   int // the close code the server must send, 0 for none (the connection stays open)
	}{
		// Fragmentation (section 5.4).
		{name: "a fragmented text message is reassembled",
			frames:  []frame{data(opText, false, "Hel"), data(opCont, false, "lo, "), data(opCont, true, "world")},
			replies: []string{"1:Hello, world"}},
		{name: "a fragmented binary message is reassembled",
			frames:  []frame{data(opBinary, false, "\x00\x01"), data(opCont, true, "\x02")},
			replies: []string{"2:\x00\x01\x02"}},
		{name: "a ping between fragments is answered at once and the message still reassembled",
			frames:  []frame{data(opText, false, "a"), ctl(opPing, []byte("p1")), data(opCont, false, "b"), ctl(opPing, []byte("p2")), data(opCont, true, "c")},
			replies: []string{"10:p1", "10:p2", "1:abc"}},
		{name: "a pong between fragments is ignored",
			frames:  []frame{data(opText, false, "a"), ctl(opPong, []byte("x")), data(opCont, true, "b")},
			replies: []string{"1:ab"}},
		{name: "a UTF-8 character split across fragments is valid",
			frames:  []frame{data(opText, false, euro[:1]), data(opCont, false, euro[1:2]), data(opCont, true, euro[2:])},
			replies: []string{"1:" + euro}},
		{name: "an empty final fragment ends the message",
			frames:  []frame{data(opText, false, "x"), data(opCont, true, "")},
			replies: []string{"1:x"}},
		{name: "a close between fragments closes normally",
			frames: []frame{data(opText, false, "a"), ctl(opClose, closePayload(1000, "bye"))},
			close:  1000},
		{name: "a continuation with no message started is a protocol error",
			frames: []frame{data(opCont, true, "x")}, close: 1002},
		{name: "a new message before the fragmented one ended is a protocol error",
			frames: []frame{data(opText, false, "a"), data(opText, true, "b")}, close: 1002},

		// Control frames (section 5.5).
		{name: "a ping of 125 bytes is answered",
			frames: []frame{ctl(opPing, bytes.Repeat([]byte("p"), 125))}, replies: []string{"10:" + strings.Repeat("p", 125)}},
		{name: "a ping over 125 bytes is a protocol error",
			frames: []frame{ctl(opPing, bytes.Repeat([]byte("p"), 126))}, close: 1002},
		{name: "a close over 125 bytes is a protocol error",
			frames: []frame{ctl(opClose, closePayload(1000, strings.Repeat("r", 124)))}, close: 1002},
		{name: "a fragmented ping is a protocol error",
			frames: []frame{{fin: false, opcode: opPing, payload: []byte("p"), length: -1}}, close: 1002},

		// Close codes (section 7.4).
		{name: "close 1000 is echoed", frames: []frame{ctl(opClose, closePayload(1000, ""))}, close: 1000},
		{name: "close 1001 is echoed", frames: []frame{ctl(opClose, closePayload(1001, "tab closed"))}, close: 1001},
		{name: "an application code 3000 is echoed", frames: []frame{ctl(opClose, closePayload(3000, ""))}, close: 3000},
		{name: "a private code 4999 is echoed", frames: []frame{ctl(opClose, closePayload(4999, ""))}, close: 4999},
		{name: "an empty close is answered without a code", frames: []frame{ctl(opClose, nil)}, close: 1005},
		{name: "code 999 is a protocol error", frames: []frame{ctl(opClose, closePayload(999, ""))}, close: 1002},
		{name: "code 1004 (reserved) is a protocol error", frames: []frame{ctl(opClose, closePayload(1004, ""))}, close: 1002},
		{name: "code 1005 on the wire is a protocol error", frames: []frame{ctl(opClose, closePayload(1005, ""))}, close: 1002},
		{name: "code 1006 on the wire is a protocol error", frames: []frame{ctl(opClose, closePayload(1006, ""))}, close: 1002},
		{name: "code 1015 on the wire is a protocol error", frames: []frame{ctl(opClose, closePayload(1015, ""))}, close: 1002},
		{name: "code 2999 is a protocol error", frames: []frame{ctl(opClose, closePayload(2999, ""))}, close: 1002},
		{name: "code 5000 is a protocol error", frames: []frame{ctl(opClose, closePayload(5000, ""))}, close: 1002},
		{name: "a one-byte close payload is a protocol error", frames: []frame{ctl(opClose, []byte{0x03})}, close: 1002},

		// Framing.
		{name: "an unmasked client frame is a protocol error",
			frames: []frame{{fin: true, opcode: opText, payload: []byte("hi"), length: -1, unmasked: true}}, close: 1002},
		{name: "RSV bits without an extension are a protocol error",
			frames: []frame{{fin: true, rsv: 0x40, opcode: opText, payload: []byte("x"), length: -1}}, close: 1002},
		{name: "a reserved data opcode is a protocol error",
			frames: []frame{{fin: true, opcode: 0x3, payload: []byte("x"), length: -1}}, close: 1002},
		{name: "a reserved control opcode is a protocol error",
			frames: []frame{{fin: true, opcode: 0xB, payload: []byte("x"), length: -1}}, close: 1002},

		// Payload.
		{name: "invalid UTF-8 in a text message is 1007",
			frames: []frame{data(opText, true, "ok \xff\xfe")}, close: 1007},
		{name: "a truncated UTF-8 character at the end of a fragmented text is 1007",
			frames: []frame{data(opText, false, "a"), data(opCont, true, euro[:2])}, close: 1007},
		{name: "invalid UTF-8 in a binary message is data",
			frames: []frame{data(opBinary, true, "\xff\xfe")}, replies: []string{"2:\xff\xfe"}},
		{name: "a message of exactly the read limit is accepted",
			frames: []frame{data(opBinary, true, strings.Repeat("x", limit))}, replies: []string{"2:" + strings.Repeat("x", limit)}},
		{name: "a message over the read limit is 1009",
			frames: []frame{data(opBinary, true, strings.Repeat("x", limit+1))}, close: 1009},
		{name: "fragments that add up past the read limit are 1009",
			frames: []frame{data(opText, false, strings.Repeat("x", 600)), data(opCont, true, strings.Repeat("y", 600))}, close: 1009},
		{name: "a declared length of 2^62 bytes is 1009 once the limit is passed, nothing allocated ahead",
			frames: []frame{{fin: true, opcode: opBinary, payload: bytes.Repeat([]byte("x"), limit+1), length: 1 << 62}}, close: 1009},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, br := rawWebSocket(t, addr, "/ws")
			for _, f := range tt.frames {
				if _, err := conn.Write(f.bytes()); err != nil {
					t.Fatalf("writing a frame: %v", err)
				}
			}
			for _, want := range tt.replies {
				f, err := readServerFrame(br)
				if err != nil {
					t.Fatalf("waiting for %q: %v", want, err)
				}
				if got := fmt.Sprintf("%d:%s", f.opcode, f.payload); got != want || !f.fin {
					t.Fatalf("reply %q (fin %v), want %q", got, f.fin, want)
				}
			}
			if tt.close == 0 {
				// The connection is still usable: a normal close completes.
				if _, err := conn.Write(ctl(opClose, closePayload(1000, "")).bytes()); err != nil {
					t.Fatal(err)
				}
				tt.close = 1000
			}
			f, err := readServerFrame(br)
			if err != nil {
				t.Fatalf("no close frame, want %d: %v", tt.close, err)
			}
			if f.opcode != opClose || closeCode(f) != tt.close {
				t.Fatalf("got frame opcode %d payload %q, want close %d", f.opcode, f.payload, tt.close)
			}
			// A well-behaved peer answers the close; the server then ends
			// the TCP connection.
			_, _ = conn.Write(ctl(opClose, f.payload).bytes())
			_ = conn.SetReadDeadline(time.Now().Add(rtGuard))
			if _, err := io.Copy(io.Discard, br); err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
				t.Fatalf("after the close frame: %v, want the connection closed", err)
			}
		})
	}
	if strings.Contains(log.String(), "panic") {
		t.Fatalf("the server panicked:\n%s", log)
	}
}

// isReset reports a connection reset, which a server that closes with
// unread input in its buffer causes.
func isReset(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && strings.Contains(oe.Err.Error(), "reset")
}

// TestWebSocketCloseHandshakeIsBounded: a peer that never completes the
// close handshake, or starts a frame it never finishes, cannot hold the
// connection and its handler: the server gives up after its close
// timeout and drops it.
func TestWebSocketCloseHandshakeIsBounded(t *testing.T) {
	// Its cases wait out WebSocket timeouts (the 5 s close handshake):
	// overlap them with the other waiting tests, after the serial ones.
	t.Parallel()
	tests := []struct {
		name  string
		after []frame // what the peer sends once the server's close frame came
	}{
		{name: "a peer that stays silent after the server's close"},
		{name: "a peer that declares a huge frame and sends none of it",
			after: []frame{{fin: true, opcode: opBinary, payload: []byte("x"), length: 1 << 62}}},
		{name: "a peer that declares a frame and sends half of it",
			after: []frame{{fin: true, opcode: opBinary, payload: bytes.Repeat([]byte("x"), 50), length: 100}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			closed := make(chan hyperlane.CloseCode, 1)
			s, _ := rtServer()
			// The handler says goodbye at once; pings are off, so only the
			// close timeout can end a stuck handshake.
			s.WebSocket("/bye", func(c *hyperlane.Context, ws *hyperlane.Conn) error { return nil },
				hyperlane.WSPing(0, time.Second),
				hyperlane.WSOnClose(func(c *hyperlane.Context, ws *hyperlane.Conn, code hyperlane.CloseCode, reason string) {
					closed <- code
				}))
			addr := rtServe(t, s)
			conn, br := rawWebSocket(t, addr, "/bye")
			f, err := readServerFrame(br)
			if err != nil || f.opcode != opClose || closeCode(f) != 1000 {
				t.Fatalf("got %+v, %v; want close 1000", f, err)
			}
			for _, a := range tt.after {
				if _, err := conn.Write(a.bytes()); err != nil {
					t.Fatal(err)
				}
			}
			rtWait(t, closed, "the handler to finish while the peer stalls the close handshake")
			if _, err := io.Copy(io.Discard, br); err != nil && !isReset(err) {
				t.Fatalf("connection not closed by the server: %v", err)
			}
		})
	}
}
