package chatroom

import (
	"strings"
	"testing"
)

func TestParseJoin(t *testing.T) {
	for _, tc := range []struct {
		name, nick, room   string
		wantNick, wantRoom string
		wantErr            string
	}{
		{"nick is trimmed and room defaults to lobby", "  Ada L ", "", "Ada L", "lobby", ""},
		{"letters of any script are fine", "Zoë_王-1", "dev", "Zoë_王-1", "dev", ""},
		{"empty nick is refused", "   ", "lobby", "", "", "required"},
		{"24 characters fit", strings.Repeat("é", 24), "r", strings.Repeat("é", 24), "r", ""},
		{"25 characters do not", strings.Repeat("é", 25), "r", "", "", "longer than 24"},
		{"markup in a nick is refused", "<b>", "r", "", "", "letters, digits"},
		{"line breaks in a nick are refused", "a\nb", "r", "", "", "control character"},
		{"room with spaces is refused", "ada", "my room", "", "", "room must be"},
		{"room longer than 32 is refused", "ada", strings.Repeat("r", 33), "", "", "room must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nick, room, err := parseJoin(tc.nick, tc.room)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || nick.name != tc.wantNick || room != tc.wantRoom {
				t.Fatalf("got %q %q %v", nick.name, room, err)
			}
		})
	}
}
