package chatroom

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxNickInput bounds the raw nickname read before normalising it, so
// that NFKC (which may expand a character up to 18 times) works on
// little; anything longer could never fit MaxNick anyway.
const maxNickInput = 256

// maxMarks is how many combining marks may sit on one letter: enough for
// the accents of Vietnamese or Devanagari, too few to smear a name over
// its neighbours' lines.
const maxMarks = 2

// nick is a nickname as shown, with the two keys a room compares: two
// nicknames with the same fold ("Alice", "alice") or the same look
// ("alice", "аlice" spelled in Cyrillic, "AIice" with a capital I) are one.
type nick struct {
	name string // NFKC, spaces collapsed: what everyone sees
	fold string // case-folded name
	look string // case-folded confusable skeleton of name
}

// same reports whether m and n would pass for each other in a room.
func (m nick) same(n nick) bool { return m.fold == n.fold || m.look == n.look }

// parseNick normalises a nickname and refuses what could disguise it.
// The name is NFKC-normalised (fullwidth and styled letters become the
// plain ones) with runs of spaces collapsed, and must be 1 to MaxNick
// characters long after that. Control, format and other invisible
// characters (zero-width spaces, direction overrides, variation
// selectors, fillers) are refused, as is a name mixing scripts whose
// letters look alike (Latin with Cyrillic or Greek, see checkScripts). Each error says what
// to change, in words a user understands.
func parseNick(raw string) (nick, error) {
	if len(raw) > maxNickInput {
		return nick{}, fmt.Errorf("nick is longer than %d characters", MaxNick)
	}
	if !utf8.ValidString(raw) {
		return nick{}, errors.New("nick is not valid UTF-8 text")
	}
	if err := checkVisible(raw); err != nil {
		return nick{}, err
	}
	name := strings.Join(strings.Fields(norm.NFKC.String(raw)), " ")
	if name == "" {
		return nick{}, errors.New("nick is required")
	}
	if err := checkVisible(name); err != nil { // NFKC can map to a filler (U+FFA0 -> U+3164)
		return nick{}, err
	}
	if utf8.RuneCountInString(name) > MaxNick {
		return nick{}, fmt.Errorf("nick is longer than %d characters", MaxNick)
	}
	if err := checkRunes(name); err != nil {
		return nick{}, err
	}
	if err := checkScripts(name); err != nil {
		return nick{}, err
	}
	return nick{name: name, fold: cases.Fold().String(name), look: cases.Fold().String(skeleton(name))}, nil
}

// checkVisible refuses the characters that change or hide how a name
// looks without being seen themselves.
func checkVisible(s string) error {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Bidi_Control, r):
			return fmt.Errorf("nick contains a text-direction control (%U), which could disguise it: type the name without it", r)
		case unicode.IsControl(r):
			return fmt.Errorf("nick contains a control character (%U) such as a line break or tab", r)
		case unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector):
			return fmt.Errorf("nick contains an invisible character (%U): type the name without it", r)
		}
	}
	return nil
}

// checkRunes allows letters (with at most maxMarks combining marks
// each), digits, single spaces, '_' and '-', and needs one letter or
// digit.
func checkRunes(s string) error {
	marks, base, alnum := 0, false, false
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Mc):
			if !base {
				return errors.New("nick has an accent that is not on a letter")
			}
			if marks++; marks > maxMarks {
				return fmt.Errorf("nick stacks more than %d accents on one letter", maxMarks)
			}
			continue
		case unicode.IsLetter(r), unicode.IsDigit(r):
			alnum, base = true, true
		case r == ' ', r == '_', r == '-':
			base = false
		default:
			return errors.New("nick may hold letters, digits, spaces, '_' and '-' only")
		}
		marks = 0
	}
	if !alnum {
		return errors.New("nick needs at least one letter or digit")
	}
	return nil
}

// lookalikes are the scripts whose letters pass for Latin ones (a, e, o,
// p...; Armenian օ and ս, Cherokee Ꭺ and Ꮯ): a name may not mix two of
// them, nor one of them but Latin with another script.
var lookalikes = []script{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Cherokee", unicode.Cherokee},
}

type script struct {
	name  string
	table *unicode.RangeTable
}

// checkScripts refuses a name that mixes lookalike scripts ("аlice"
// with a Cyrillic а), or Cyrillic, Greek, Armenian or Cherokee with any
// other script. Latin with other scripts (Han, Hangul, Arabic...) is
// fine, close to UTS #39's moderately restrictive profile: their letters
// cannot pass for Latin ones.
func checkScripts(s string) error {
	found := make([]bool, len(lookalikes))
	other := false
	for _, r := range s {
		if unicode.In(r, unicode.Common, unicode.Inherited) {
			continue // digits, '_', '-', space, combining marks
		}
		if i := slices.IndexFunc(lookalikes, func(l script) bool { return unicode.Is(l.table, r) }); i >= 0 {
			found[i] = true
		} else {
			other = true
		}
	}
	var seen []string
	for i, ok := range found {
		if ok {
			seen = append(seen, lookalikes[i].name)
		}
	}
	if len(seen) > 1 {
		return fmt.Errorf("nick mixes %s and %s letters, which can look alike: write it in one script", seen[0], seen[1])
	}
	if len(seen) == 1 && seen[0] != "Latin" && other {
		return fmt.Errorf("nick mixes %s letters with another script: write it in one script", seen[0])
	}
	return nil
}

// skeleton maps the Cyrillic and Greek letters that pass for Latin ones,
// and the digits and capitals that pass for other Latin letters, to the
// Latin letter they look like: a small cut of the UTS #39 confusables,
// enough that a whole-Cyrillic "ѕсоре" cannot pass for "scope".
func skeleton(s string) string {
	return strings.Map(func(r rune) rune {
		if l, ok := confusables[r]; ok {
			return l
		}
		return r
	}, s)
}

var confusables = map[rune]rune{
	// Cyrillic capitals and small letters.
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'Х': 'X', 'У': 'Y', 'Ѕ': 'S', 'І': 'l', 'Ј': 'J', 'Ԛ': 'Q', 'Ԝ': 'W',
	'Ӏ': 'l', 'а': 'a', 'с': 'c', 'е': 'e', 'о': 'o', 'р': 'p', 'х': 'x', 'у': 'y',
	'ѕ': 's', 'і': 'i', 'ј': 'j', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
	'ь': 'b', 'г': 'r', 'п': 'n', 'ѵ': 'v',
	// Greek capitals and small letters.
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'l', 'Κ': 'K', 'Μ': 'M',
	'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'α': 'a', 'ε': 'e',
	'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x',
	'γ': 'y', 'η': 'n', 'ω': 'w',
	// Latin against Latin: a capital I or a digit one passes for an l, a
	// zero for an O, and a few IPA letters for plain ones.
	'I': 'l', '1': 'l', '0': 'O', 'ɑ': 'a', 'ı': 'i', 'ɩ': 'i', 'ȷ': 'j', 'ɡ': 'g',
}
