package broadcast_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

type note struct {
	Text string `json:"text"`
	N    int    `json:"n"`
}

func TestDeliveryFrameRoundTrip(t *testing.T) {
	codec := broadcast.JSONCodec[note]{}
	for _, tc := range []struct {
		name string
		d    broadcast.Delivery[note]
	}{
		{"a room delivery comes back equal", broadcast.Delivery[note]{Room: "lobby", Msg: note{"hi", 1}}},
		{"a delivery to one subscriber comes back equal", broadcast.Delivery[note]{To: "k3-9", Msg: note{"psst", 2}}},
		{"unicode room and text survive", broadcast.Delivery[note]{Room: "salle-é", Msg: note{"héllo ✓", 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := broadcast.EncodeDelivery(codec, tc.d, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := broadcast.DecodeDelivery(codec, b, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.d {
				t.Fatalf("got %+v, want %+v", got, tc.d)
			}
		})
	}
}

func TestDecodeDeliveryRejectsBadFrames(t *testing.T) {
	codec := broadcast.JSONCodec[note]{}
	good, err := broadcast.EncodeDelivery(codec, broadcast.Delivery[note]{Room: "r", Msg: note{"x", 1}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
		limit int
	}{
		{"an empty frame is rejected", nil, 0},
		{"an unknown version is rejected", append([]byte{9}, good[1:]...), 0},
		{"a room length past the end is rejected", []byte{1, 200, 1}, 0},
		{"a huge varint length is rejected", []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0},
		{"a frame without room or ID is rejected", []byte{1, 0, 0, '{', '}'}, 0},
		{"a message the codec rejects is rejected", append(good[:len(good)-1:len(good)-1], 'x'), 0},
		{"a frame over the limit is rejected", good, len(good) - 1},
		{"text garbage is rejected", []byte("PUBLISH lobby hello"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := broadcast.DecodeDelivery(codec, tc.frame, tc.limit)
			if !errors.Is(err, broadcast.ErrBadFrame) {
				t.Fatalf("err = %v, want ErrBadFrame", err)
			}
		})
	}
}

func TestEncodeDeliveryNamesTheLimit(t *testing.T) {
	_, err := broadcast.EncodeDelivery(broadcast.JSONCodec[note]{}, broadcast.Delivery[note]{Room: "r", Msg: note{Text: strings.Repeat("a", 100)}}, 64)
	if err == nil || !strings.Contains(err.Error(), "limit of 64 bytes") {
		t.Fatalf("err = %v, want the limit named", err)
	}
}

func FuzzDecodeDelivery(f *testing.F) {
	good, _ := broadcast.EncodeDelivery(broadcast.JSONCodec[note]{}, broadcast.Delivery[note]{Room: "r", Msg: note{"x", 1}}, 0)
	f.Add(good)
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := broadcast.DecodeDelivery(broadcast.JSONCodec[note]{}, b, 1<<20)
		if err == nil && d.Room == "" && d.To == "" {
			t.Fatal("accepted a frame without room or ID")
		}
	})
}
