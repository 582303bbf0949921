package chatroom

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestNicknames checks what a nickname becomes and when it passes for
// one already in the room ("alice", "scope" and "kate" below): a clash is the 409 of admit,
// an error the 400.
func TestNicknames(t *testing.T) {
	alice, err := parseNick("alice")
	if err != nil {
		t.Fatal(err)
	}
	scope, err := parseNick("scope")
	if err != nil {
		t.Fatal(err)
	}
	kate, err := parseNick("kate")
	if err != nil {
		t.Fatal(err)
	}
	room := []nick{alice, scope, kate}
	for _, tc := range []struct {
		name    string
		in      string
		want    string // the normalised name; "" when refused
		clash   bool   // passes for a member of the room
		wantErr string
	}{
		{"the same name clashes", "alice", "alice", true, ""},
		{"another case clashes", "Alice", "Alice", true, ""},
		{"all capitals clash", "ALICE", "ALICE", true, ""},
		{"fullwidth letters fold to the name and clash", "ａｌｉｃｅ", "alice", true, ""},
		{"mathematical bold letters fold to the name and clash", "𝐚𝐥𝐢𝐜𝐞", "alice", true, ""},
		{"a capital I for the l clashes", "AIice", "AIice", true, ""},
		{"a digit one for the l clashes", "a1ice", "a1ice", true, ""},
		{"a whole-Cyrillic lookalike clashes", "ѕсоре", "ѕсоре", true, ""},
		{"a whole-Greek lookalike clashes", "κατε", "κατε", true, ""},
		{"a whole-Greek lookalike in capitals clashes", "ΚΑΤΕ", "ΚΑΤΕ", true, ""},
		{"a different name is free", "alicia", "alicia", false, ""},
		{"an accent makes another name", "alicé", "alicé", false, ""},
		{"a combining accent is composed", "alice\u0301", "alicé", false, ""},
		{"fullwidth spaces fold and runs of spaces collapse", "Ada\u3000\u3000 L", "Ada L", false, ""},
		{"Latin with Han is fine", "Zoë_王", "Zoë_王", false, ""},
		{"Cyrillic alone is fine", "Наташа", "Наташа", false, ""},

		{"a zero-width space is refused as invisible", "alice\u200b", "", false, "invisible character (U+200B)"},
		{"a zero-width joiner is refused as invisible", "al\u200dice", "", false, "invisible character (U+200D)"},
		{"a soft hyphen is refused as invisible", "al\u00adice", "", false, "invisible character (U+00AD)"},
		{"a variation selector is refused as invisible", "alice\ufe0f", "", false, "invisible character (U+FE0F)"},
		{"a Hangul filler is refused as invisible", "\u3164", "", false, "invisible character (U+3164)"},
		{"a halfwidth Hangul filler (NFKC to U+3164) is refused", "ali\uffa0ce", "", false, "invisible character"},
		{"a right-to-left override is refused", "\u202eecila", "", false, "text-direction control (U+202E)"},
		{"a right-to-left isolate is refused", "alice\u2067", "", false, "text-direction control (U+2067)"},
		{"a right-to-left mark is refused", "alice\u200f", "", false, "text-direction control (U+200F)"},
		{"a NUL is refused", "ali\x00ce", "", false, "control character (U+0000)"},
		{"a tab is refused", "ali\tce", "", false, "control character (U+0009)"},
		{"DEL is refused", "alice\x7f", "", false, "control character (U+007F)"},
		{"a Cyrillic a among Latin letters is refused", "\u0430lice", "", false, "mixes Latin and Cyrillic"},
		{"a Greek omicron among Latin letters is refused", "b\u03bfb", "", false, "mixes Latin and Greek"},
		{"an Armenian o among Latin letters is refused", "b\u0585b", "", false, "mixes Latin and Armenian"},
		{"a Latin alpha for the a clashes", "ɑlice", "ɑlice", true, ""},
		{"a dotless i clashes", "alıce", "alıce", true, ""},
		{"Cyrillic with Han is refused", "Наташа王", "", false, "mixes Cyrillic letters with another script"},
		{"only spaces is empty after normalisation", "\u3000 \u2003", "", false, "required"},
		{"only punctuation needs a letter", "__-", "", false, "at least one letter or digit"},
		{"invalid UTF-8 is refused", "al\xffice", "", false, "not valid UTF-8"},
		{"24 characters after normalisation fit", strings.Repeat("ａ", MaxNick), strings.Repeat("a", MaxNick), false, ""},
		{"25 characters after normalisation do not", strings.Repeat("ａ", MaxNick+1), "", false, "longer than 24"},
		{"a ligature that expands past the limit is refused", strings.Repeat("\ufb03", 9), "", false, "longer than 24"},
		{"a huge input is refused before normalising", strings.Repeat("a", 10000), "", false, "longer than 24"},
		{"a stray accent is refused", "\u0301alice", "", false, "accent that is not on a letter"},
		{"stacked accents are refused", "al\u0300\u0301\u0302\u0303ice", "", false, "more than 2 accents"},
		{"markup is refused", "<b>", "", false, "letters, digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parseNick(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseNick(%q) = %q, %v; want an error saying %q", tc.in, n.name, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseNick(%q): %v", tc.in, err)
			}
			if n.name != tc.want {
				t.Fatalf("parseNick(%q) = %q, want %q", tc.in, n.name, tc.want)
			}
			clash := false
			for _, m := range room {
				clash = clash || n.same(m)
			}
			if clash != tc.clash {
				t.Fatalf("%q passes for a member: %v, want %v", n.name, clash, tc.clash)
			}
		})
	}
}

// FuzzParseNick checks that an accepted nickname is stable: normalised,
// within the limit, free of invisible characters, and accepted again as
// itself with the same keys.
func FuzzParseNick(f *testing.F) {
	for _, s := range []string{"alice", "ａｌｉｃｅ", "alice\u200b", "\u0430lice", "Zoë_王-1", "a\u0301\u0302", "\ufb03\ufb03", " a  b "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := parseNick(in)
		if err != nil {
			return
		}
		if !norm.NFKC.IsNormalString(n.name) || utf8.RuneCountInString(n.name) > MaxNick || checkVisible(n.name) != nil {
			t.Fatalf("parseNick(%q) accepted %q", in, n.name)
		}
		again, err := parseNick(n.name)
		if err != nil || again != n {
			t.Fatalf("parseNick(%q) = %+v, but its name parses as %+v, %v", in, n, again, err)
		}
	})
}
