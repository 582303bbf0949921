package openapi

import (
	"math"
	"strconv"
	"unsafe"
)

// validJSON reports whether data is a JSON document that the check
// accepts, reading the bytes directly: no value is decoded or allocated,
// but a key or string with escapes that a pattern, format or enum sees.
// It answers false for anything it does not handle (repeated keys,
// uniqueItems, composite enums) as well as for invalid input, so false
// means only "let the decoded path decide".
func (k *check) validJSON(data []byte) bool {
	s := scanner{b: data}
	s.ws()
	if !s.value(k) {
		return false
	}
	s.ws()
	return s.i == len(s.b)
}

type scanner struct {
	b     []byte
	i     int
	depth int // objects and arrays open at s.i
}

// enter opens an object or array, refusing to nest deeper than
// encoding/json allows: each level costs a stack frame, and a body of
// brackets would otherwise grow the goroutine's stack to hundreds of MB.
func (s *scanner) enter() bool {
	s.depth++
	return s.depth <= maxNesting
}

// key reads an object member's key and the colon after it, white space
// around them included, leaving s at the value.
func (s *scanner) key() ([]byte, bool) {
	s.ws()
	key, ok := s.rawString()
	if !ok {
		return nil, false
	}
	s.ws()
	if !s.next(':') {
		return nil, false
	}
	s.ws()
	return key, true
}

// anyKey is key for a key with escapes or invalid UTF-8 too: such a
// key is unquoted (in a new allocation) as encoding/json unquotes it.
func (s *scanner) anyKey() ([]byte, bool) {
	s.ws()
	raw, special, ok := s.quoted()
	if !ok {
		return nil, false
	}
	s.ws()
	if !s.next(':') {
		return nil, false
	}
	s.ws()
	if special {
		return []byte(unquote(raw, -1)), true
	}
	return raw, true
}

// skipKey moves past a key of any spelling and its colon.
func (s *scanner) skipKey() bool {
	s.ws()
	if _, _, ok := s.quoted(); !ok {
		return false
	}
	s.ws()
	if !s.next(':') {
		return false
	}
	s.ws()
	return true
}

// next moves past c if it is the byte at s.i.
func (s *scanner) next(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value checks the value at s.i against k (nil: anything) and moves past it.
func (s *scanner) value(k *check) bool {
	for k != nil && k.bareRef {
		k = k.ref
	}
	if k != nil && (k.ref != nil || k.allOf != nil || k.anyOf != nil || k.oneOf != nil || k.not != nil) {
		return s.combined(k)
	}
	if s.i >= len(s.b) {
		return false
	}
	if k != nil && k.never {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(k)
	case c == '[':
		return s.array(k)
	case c == '"':
		return s.str(k)
	case c == 't':
		return s.literal("true", k, tBoolean, true)
	case c == 'f':
		return s.literal("false", k, tBoolean, false)
	case c == 'n':
		return s.literal("null", k, tNull, nil)
	case c == '-' || c >= '0' && c <= '9':
		return s.number(k)
	}
	return false
}

// onlyRef reports whether k is a bare $ref.
func (k *check) onlyRef() bool {
	return k.ref != nil && k.types == 0 && k.enum == nil && k.constant == nil && k.props == nil &&
		k.required == nil && k.addl == nil && !k.noAddl && k.items == nil && k.minItems == 0 &&
		k.maxItems < 0 && !k.unique && k.min == nil && k.max == nil && k.exMin == nil && k.exMax == nil &&
		k.multiple == 0 && k.minLen == 0 && k.maxLen < 0 && k.pattern == nil && k.format == nil &&
		k.allOf == nil && k.anyOf == nil && k.oneOf == nil && k.not == nil && !k.never
}

// combined checks a value against each subschema in turn, rescanning it.
func (s *scanner) combined(k *check) bool {
	start := s.i
	rescan := func(sub *check) (bool, int) {
		s.i = start
		ok := s.value(sub)
		return ok, s.i
	}
	own := *k
	own.ref, own.allOf, own.anyOf, own.oneOf, own.not = nil, nil, nil, nil, nil
	ok, end := rescan(&own)
	if !ok {
		return false
	}
	if k.ref != nil {
		if ok, _ := rescan(k.ref); !ok {
			return false
		}
	}
	for _, sub := range k.allOf {
		if ok, _ := rescan(sub); !ok {
			return false
		}
	}
	if k.anyOf != nil {
		found := false
		for _, sub := range k.anyOf {
			if ok, _ := rescan(sub); ok {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if k.oneOf != nil {
		n := 0
		for _, sub := range k.oneOf {
			if ok, _ := rescan(sub); ok {
				n++
			}
		}
		if n != 1 {
			return false
		}
	}
	if k.not != nil {
		if ok, _ := rescan(k.not); ok {
			return false
		}
	}
	s.i = end
	return true
}

func (s *scanner) literal(word string, k *check, t typeSet, v any) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	if k == nil {
		return true
	}
	if k.types != 0 && k.types&t == 0 {
		return false
	}
	if k.enum != nil && !contains(k.enum, v) || k.constant != nil && !equalJSON(*k.constant, v) {
		return false
	}
	return true
}

func (s *scanner) object(k *check) bool {
	if k != nil && k.types != 0 && k.types&tObject == 0 || k != nil && (k.enum != nil || k.constant != nil) {
		return false
	}
	var seen uint64 // required properties found, by index
	if k != nil && len(k.required) > 64 {
		return false
	}
	defer func() { s.depth-- }()
	if !s.enter() {
		return false
	}
	s.i++ // '{'
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return k == nil || len(k.required) == 0
	}
	for {
		key, ok := s.anyKey()
		if !ok {
			return false
		}
		var sub *check
		if k != nil {
			for j, r := range k.required {
				if r == string(key) {
					seen |= 1 << j
				}
			}
			if p, ok := k.props[string(key)]; ok {
				sub = p
			} else if k.noAddl || k.foldsOnto(key) {
				return false
			} else {
				sub = k.addl
			}
		}
		if !s.value(sub) {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			continue
		case '}':
			s.i++
			return k == nil || seen == 1<<len(k.required)-1
		}
		return false
	}
}

func (s *scanner) array(k *check) bool {
	if k != nil && (k.types != 0 && k.types&tArray == 0 || k.unique || k.enum != nil || k.constant != nil) {
		return false
	}
	defer func() { s.depth-- }()
	if !s.enter() {
		return false
	}
	s.i++ // '['
	s.ws()
	n := 0
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
	} else {
		var items *check
		if k != nil {
			items = k.items
		}
		for {
			s.ws()
			if !s.value(items) {
				return false
			}
			n++
			s.ws()
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ']' {
				s.i++
				break
			}
			if s.b[s.i] != ',' {
				return false
			}
			s.i++
		}
	}
	return k == nil || n >= k.minItems && (k.maxItems < 0 || n <= k.maxItems)
}

// rawString reads a string without escapes and returns its bytes;
// strings with escapes or control characters are left to the decoder.
func (s *scanner) rawString() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (s *scanner) str(k *check) bool {
	raw, special, ok := s.quoted()
	if !ok || k == nil {
		return ok
	}
	if k.types != 0 && k.types&tString == 0 {
		return false
	}
	if special {
		return k.validQuoted(raw)
	}
	str := unsafe.String(unsafe.SliceData(raw), len(raw)) // #nosec G103 -- a read-only view of the request bytes, used only during this call
	if k.enum != nil && !containsString(k.enum, str) {
		return false
	}
	if k.constant != nil {
		if c, ok := (*k.constant).(string); !ok || c != str {
			return false
		}
	}
	if k.format != nil {
		// The reference engine takes the value; copy it out of the body.
		return k.validString(string(raw))
	}
	return k.validString(str)
}

// validQuoted checks a string with escapes or invalid UTF-8, raw its
// content, as the reference engine checks the string encoding/json
// decodes from it: the lengths without building it, the rest on it.
func (k *check) validQuoted(raw []byte) bool {
	if k.minLen > 0 || k.maxLen >= 0 {
		n := runeCount(raw)
		if n < k.minLen || k.maxLen >= 0 && n > k.maxLen {
			return false
		}
	}
	if k.enum == nil && k.constant == nil && k.pattern == nil && k.format == nil {
		return true
	}
	str := unquote(raw, -1)
	if k.enum != nil && !containsString(k.enum, str) {
		return false
	}
	if k.constant != nil {
		if c, ok := (*k.constant).(string); !ok || c != str {
			return false
		}
	}
	return k.validString(str)
}

func containsFloat(list []any, f float64) bool {
	for _, e := range list {
		if g, ok := toFloat(e); ok && g == f {
			return true
		}
	}
	return false
}

func containsString(list []any, s string) bool {
	for _, e := range list {
		if e, ok := e.(string); ok && e == s {
			return true
		}
	}
	return false
}

func (s *scanner) number(k *check) bool {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	if k == nil {
		return true
	}
	raw := s.b[start:s.i]
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64) // #nosec G103 -- a read-only view of the request bytes, not kept
	if err != nil {
		return false
	}
	t := tNumber
	if f == math.Trunc(f) {
		t |= tInteger
	}
	if k.types != 0 && k.types&t == 0 {
		return false
	}
	if k.enum != nil && !containsFloat(k.enum, f) || k.constant != nil && !containsFloat([]any{*k.constant}, f) {
		return false
	}
	return k.validNumber(f)
}
