package openapi

import (
	"log/slog"
	"testing"
	"unicode/utf8"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

type (
	fuzzJoin struct {
		Type string `json:"type"`
		Room string `json:"room" required:"true" pattern:"^[a-z]{1,8}$"`
	}
	fuzzSay struct {
		Text string   `json:"text" required:"true" maxLength:"5"`
		Tags []string `json:"tags,omitempty" maxItems:"2"`
	}
)

// FuzzSocketDecode: whatever a client sends, decoding an incoming
// message never panics, yields a value of a declared type or an
// *InvalidMessageError, and the close reason made of that error fits the
// 123 bytes of a close frame as valid UTF-8.
func FuzzSocketDecode(f *testing.F) {
	api := New(hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler))), Config{})
	WebSocket(api, "/s", func(*hyperlane.Context, *struct{}, *Socket) error { return nil },
		Discriminator("type"), DefaultMessage("say"),
		Receives[fuzzJoin]("join"), Receives[fuzzSay]("say"))
	ch := api.async.channels[0]
	cfg := &socketConfig{receives: ch.receives, discriminator: ch.discriminator, fallback: ch.fallback}
	for _, seed := range []string{
		`{"type":"join","room":"dev"}`, `{"type":"say","text":"hi"}`, `{"text":"hi","tags":["a","b","c"]}`,
		`{"type":"join","room":"DEV"}`, `{"type":7}`, `[]`, `null`, `{"type":"say","text":"` + string(rune(0x10FFFF)) + `é…"}`,
		`{"type":"say","text":"x"} {}`, `{"type":"say","text":"\ud800"}`, "\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, bad := cfg.decode(hyperlane.MessageText, b)
		if bad != nil {
			if v != nil {
				t.Fatalf("both a value %v and an error %v", v, bad)
			}
			reason := closeReason(bad.Error())
			if len(reason) > maxCloseReason || !utf8.ValidString(reason) {
				t.Fatalf("close reason %q: %d bytes", reason, len(reason))
			}
			return
		}
		switch v.(type) {
		case fuzzJoin, fuzzSay:
		default:
			t.Fatalf("decoded %T", v)
		}
	})
}
