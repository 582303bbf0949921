package openapi

import (
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// quoted reads the string at s.i, escapes included, checking its syntax
// as encoding/json's scanner does (escapes from the JSON set, no control
// characters; any other byte passes). It returns the bytes between the
// quotes and whether they need unquote: an escape, or invalid UTF-8.
func (s *scanner) quoted() (raw []byte, special, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			raw = s.b[start:j]
			return raw, special || !utf8.Valid(raw), true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			special = true
			if j+1 >= len(s.b) {
				return nil, false, false
			}
			switch s.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if hex4(s.b[j+2:]) < 0 {
					return nil, false, false
				}
				j += 5
			default:
				return nil, false, false
			}
		}
	}
	return nil, false, false
}

// hex4 reads four hex digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// nextRune decodes the rune of a quoted string's content raw (checked by
// quoted) at i as encoding/json does: escapes, surrogate pairs, and
// U+FFFD for a lone surrogate or a byte that is not UTF-8. It returns the
// rune and the index after it.
func nextRune(raw []byte, i int) (rune, int) {
	c := raw[i]
	if c < utf8.RuneSelf {
		if c != '\\' {
			return rune(c), i + 1
		}
		switch raw[i+1] {
		case 'b':
			return '\b', i + 2
		case 'f':
			return '\f', i + 2
		case 'n':
			return '\n', i + 2
		case 'r':
			return '\r', i + 2
		case 't':
			return '\t', i + 2
		case 'u':
			r := hex4(raw[i+2:])
			i += 6
			if !utf16.IsSurrogate(r) {
				return r, i
			}
			if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
				if dec := utf16.DecodeRune(r, hex4(raw[i+2:])); dec != utf8.RuneError {
					return dec, i + 6
				}
			}
			return utf8.RuneError, i
		}
		return rune(raw[i+1]), i + 2 // '"', '\\', '/'
	}
	r, size := utf8.DecodeRune(raw[i:])
	return r, i + size
}

// unquote returns the string encoding/json decodes from raw, the content
// of a string checked by quoted, keeping at most limit runes (< 0: all).
// It allocates the result once, at its exact size, where encoding/json
// allocates twice and more.
func unquote(raw []byte, limit int) string {
	n, runes := 0, 0
	for i := 0; i < len(raw) && runes != limit; runes++ {
		var r rune
		r, i = nextRune(raw, i)
		n += utf8.RuneLen(r)
	}
	if n == 0 {
		return ""
	}
	b := make([]byte, 0, n)
	for i := 0; len(b) < n; {
		var r rune
		r, i = nextRune(raw, i)
		b = utf8.AppendRune(b, r)
	}
	return unsafe.String(unsafe.SliceData(b), len(b)) // #nosec G103 -- b is new and never written again
}

// runeCount is utf8.RuneCountInString of unquote(raw, -1), without
// building it.
func runeCount(raw []byte) int {
	n := 0
	for i := 0; i < len(raw); n++ {
		_, i = nextRune(raw, i)
	}
	return n
}
